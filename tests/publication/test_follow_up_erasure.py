"""Contact details kept for updates are erased on withdrawal and on the project's follow-up end
date, never before the last notice to them has gone; the sweeper is idempotent and touches
nothing else; the reminder-details sweeper leaves them alone."""

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from coproduction.models import FollowUpContact, Notification
from coproduction.participation.actions import withdraw_participant
from coproduction.publication import follow_up
from coproduction.publication.notices import schedule_follow_up_notices
from interviews import actions as interview_actions
from tests.encrypted_records import every_encrypted_value, read_column
from tests.publication.follow_up_factories import participant_contact, published_version, resident_contact

pytestmark = pytest.mark.django_db
Status = Notification.Status
END = date(2027, 7, 1)
ON_THE_DAY = datetime(2027, 7, 1, 9, 0, tzinfo=UTC)


def sweep(at: datetime = ON_THE_DAY) -> int:
    with time_machine.travel(at, tick=False):
        return follow_up.erase_ended_follow_up_contacts()


def ends_on(project, day: date | None = END) -> None:
    project.follow_up_ends_on = day
    project.save(update_fields=["follow_up_ends_on"])


def live_pks() -> set[int]:
    return set(FollowUpContact.objects.live().values_list("pk", flat=True))


# ---------------------------------------------------------------- withdrawal


def test_withdrawal_erases_the_details_for_updates_and_cancels_their_notices(world, client_for):
    contact = participant_contact(world, email="kit@example.org", phone="+447700900111")
    other = resident_contact(world.project, email="sam@example.org")
    schedule_follow_up_notices(published_version(world.project, world.coordinator))
    url = reverse("participation:withdraw", kwargs={"slug": world.project.slug, "pk": contact.participant_id})

    page = client_for(world.coordinator).post(url).content.decode()

    assert "Contact details kept for updates" in page
    contact.refresh_from_db()
    assert contact.erased_at is not None and (contact.email, contact.phone) == (None, None)
    assert read_column(FollowUpContact, "email", contact.pk) is None and read_column(FollowUpContact, "phone", contact.pk) is None
    assert Notification.objects.get(recipient_follow_up=contact).status == Status.CANCELLED
    assert Notification.objects.get(recipient_follow_up=other).status == Status.PENDING
    assert live_pks() == {other.pk}


def test_withdrawal_erases_details_no_key_opens(world, field_keys):
    contact = participant_contact(world, email="kit@example.org")
    field_keys("some-other-key")
    counts = withdraw_participant(contact.participant, by=world.coordinator)
    assert counts[follow_up.ERASED_LABEL] == 1
    assert read_column(FollowUpContact, "email", contact.pk) is None


# ---------------------------------------------------------------- the end date


def test_the_sweeper_erases_on_the_end_date_and_not_before(world):
    ends_on(world.project)
    contact = participant_contact(world)
    resident = resident_contact(world.project, phone="+447700900123")
    assert sweep(ON_THE_DAY - timedelta(days=1)) == 0
    assert live_pks() == {contact.pk, resident.pk}
    assert sweep() == 2
    assert sweep() == 0  # idempotent
    for each in (contact, resident):
        each.refresh_from_db()
        assert (each.email, each.phone) == (None, None) and each.erased_at == ON_THE_DAY


def test_the_end_date_is_the_projects_day(world):
    """23:29 in London on the eve of the end date is not the end date; 00:01 is."""
    ends_on(world.project)
    resident_contact(world.project, email="sam@example.org")
    assert sweep(datetime(2027, 6, 30, 22, 29, tzinfo=UTC)) == 0  # 23:29 BST
    assert sweep(datetime(2027, 6, 30, 23, 1, tzinfo=UTC)) == 1  # 00:01 BST, 1 July


@pytest.mark.parametrize("still", [Status.PENDING, Status.SENDING])
def test_a_notice_still_to_be_sent_holds_the_details_back_until_it_has_gone(world, still):
    ends_on(world.project)
    waiting = participant_contact(world, email="kit@example.org")
    done = resident_contact(world.project, email="sam@example.org")
    with time_machine.travel(ON_THE_DAY - timedelta(hours=1), tick=False):
        schedule_follow_up_notices(published_version(world.project, world.coordinator))
    Notification.objects.filter(recipient_follow_up=done).update(status=Status.SENT)
    Notification.objects.filter(recipient_follow_up=waiting).update(status=still)

    assert sweep() == 1
    assert live_pks() == {waiting.pk}
    waiting.refresh_from_db()
    assert waiting.email == "kit@example.org"  # still needed by its notice

    Notification.objects.filter(recipient_follow_up=waiting).update(status=Status.SENT)
    assert sweep(ON_THE_DAY + timedelta(hours=1)) == 1
    assert live_pks() == set()


def test_a_notice_that_failed_for_good_holds_nothing_back(world):
    ends_on(world.project)
    contact = resident_contact(world.project, email="sam@example.org")
    schedule_follow_up_notices(published_version(world.project, world.coordinator))
    Notification.objects.update(status=Status.FAILED)
    assert sweep() == 1
    contact.refresh_from_db()
    assert contact.erased_at is not None


def test_the_sweeper_erases_exactly_the_ended_projects_details_and_nothing_else(world):
    values = every_encrypted_value(world)  # every other encrypted record, this project's included
    before = {value.label: value.stored() for value in values if not value.label.startswith("coproduction.FollowUpContact")}
    ends_on(world.project)
    ended = resident_contact(world.project, email="sam@example.org")
    no_end_date = resident_contact(world.other_project, email="jo@example.org")
    assert sweep(ON_THE_DAY + timedelta(days=400)) == 2  # the record's participant contact, and this one
    assert live_pks() == {no_end_date.pk}
    ended.refresh_from_db()
    assert ended.email is None
    after = {value.label: value.stored() for value in values if value.label in before}
    assert after == before


def test_a_later_end_date_keeps_the_details(world):
    ends_on(world.project, END + timedelta(days=30))
    contact = resident_contact(world.project, email="sam@example.org")
    assert sweep() == 0
    assert live_pks() == {contact.pk}


def test_the_reminder_details_sweeper_leaves_details_for_updates_alone(world):
    from tests.interviews.factories import completed_interview

    interview = completed_interview(world)
    participant = interview.participant
    participant.contact_email, participant.wants_reminders = "reminders@example.org", True
    participant.save(update_fields=["contact_email", "wants_reminders"])
    kept = FollowUpContact.objects.create(
        project=world.project, participant=participant, source=FollowUpContact.Source.PARTICIPANT, email="updates@example.org"
    )
    assert interview_actions.erase_spent_contact_details() == 1
    participant.refresh_from_db()
    kept.refresh_from_db()
    assert participant.contact_email is None  # spent: the interview is over
    assert kept.email == "updates@example.org" and kept.erased_at is None  # lives by its own rule


# ---------------------------------------------------------------- beat and the command


def test_the_command_runs_the_sweeper(world):
    ends_on(world.project)
    resident_contact(world.project, email="sam@example.org")
    out = StringIO()
    with time_machine.travel(ON_THE_DAY, tick=False):
        call_command("erase_follow_up_contacts", stdout=out)
        call_command("erase_follow_up_contacts", stdout=out)
    assert out.getvalue().splitlines() == ["1 set(s) of contact details erased.", "0 set(s) of contact details erased."]


def test_beat_runs_the_sweeper_once_by_its_task_name(settings, world):
    from coproduction.celery import app
    from coproduction.publication import tasks

    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == tasks.erase_follow_up_contacts.name]
    assert len(entries) == 1 and entries[0]["schedule"] <= 24 * 3600
    assert tasks.erase_follow_up_contacts.name in app.tasks  # the worker knows it (imported in ready)
    ends_on(world.project)
    resident_contact(world.project, email="sam@example.org")
    with time_machine.travel(ON_THE_DAY, tick=False):
        assert tasks.erase_follow_up_contacts() == 1
