from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from coproduction.eligibility import _checks
from coproduction.models import AuditEvent, Notification
from interviews import actions
from interviews.models import Interview
from interviews.signals import interview_completed
from tests.interviews.factories import guide_for, make_interview, venue_for
from tests.participation.factories import consenting_participant

pytestmark = pytest.mark.django_db


def url(name, world, **kwargs):
    return reverse(f"interviews:{name}", kwargs={"slug": world.project.slug, **kwargs})


def local(dt: datetime) -> str:
    return (
        timezone.localtime(dt, timezone.get_fixed_timezone(0))
        .astimezone(__import__("zoneinfo").ZoneInfo("Europe/London"))
        .strftime("%Y-%m-%dT%H:%M")
    )


@pytest.fixture
def setup(world):
    guide_for(world.project)
    venue = venue_for(world.project)
    participant = consenting_participant(world.project, world.coordinator)
    return venue, participant


def booking(world, venue, participant, starts_at, **extra):
    return {
        "participant": participant.pk,
        "interviewer": world.peer.pk,
        "starts_at": local(starts_at),
        "duration_minutes": 60,
        "venue": venue.pk,
        **extra,
    }


def test_coordinator_books_an_interview_with_reminders(world, client_for, setup):
    venue, participant = setup
    starts_at = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    response = client_for(world.coordinator).post(url("book", world), booking(world, venue, participant, starts_at))
    interview = Interview.objects.get()
    assert response.status_code == 302
    assert interview.starts_at == starts_at and interview.topic_guide.version == 1
    reminders = Notification.objects.about(interview).order_by("due_at")
    assert [(n.template, n.due_at, n.recipient) for n in reminders] == [
        ("appointment-reminder", starts_at - timedelta(hours=24), world.peer),
        ("appointment-reminder", starts_at - timedelta(hours=2), world.peer),
    ]
    assert AuditEvent.objects.filter(action="interview.booked").exists()


def test_refuses_past_times_double_booking_and_missing_consent(world, client_for, setup):
    venue, participant = setup
    client = client_for(world.coordinator)
    past = client.post(url("book", world), booking(world, venue, participant, timezone.now() - timedelta(hours=1)))
    assert b"The start time is in the past" in past.content
    starts_at = timezone.now() + timedelta(days=3)
    client.post(url("book", world), booking(world, venue, participant, starts_at))
    other = consenting_participant(world.project, world.coordinator)
    clash = client.post(url("book", world), booking(world, venue, other, starts_at + timedelta(minutes=30)))
    assert "already has an interview at that time" in clash.content.decode()
    same_participant = client.post(
        url("book", world),
        booking(world, venue, participant, starts_at + timedelta(minutes=30), interviewer=world.second_peer.pk),
    )
    assert f"{participant.code} already has an interview at that time" in same_participant.content.decode()
    assert Interview.objects.count() == 1
    back_to_back = client.post(url("book", world), booking(world, venue, other, starts_at + timedelta(minutes=60)))
    assert back_to_back.status_code == 302


def test_withdrawn_or_unconsented_participant_cannot_be_booked(world, client_for, setup):
    venue, participant = setup
    from coproduction.participation.actions import withdraw_participant

    withdraw_participant(participant, by=world.coordinator)
    response = client_for(world.coordinator).post(
        url("book", world), booking(world, venue, participant, timezone.now() + timedelta(days=1))
    )
    assert "has withdrawn consent" in response.content.decode()
    participant.consents.update(withdrawn_at=None)
    assert not Interview.objects.exists()


def test_interviewer_eligibility_checks_are_applied(world, setup):
    venue, participant = setup

    def untrained(user, project):
        return ["Finish the interview training first."]

    _checks.append(untrained)
    try:
        with pytest.raises(actions.BookingRefused) as refused:
            actions.book_interview(
                project=world.project,
                participant=participant,
                interviewer=world.peer,
                starts_at=timezone.now() + timedelta(days=1),
                duration_minutes=60,
                venue=venue,
                by=world.coordinator,
            )
    finally:
        _checks.remove(untrained)
    assert "Finish the interview training first." in refused.value.problems


def test_peer_can_only_book_themselves(world, client_for, setup):
    venue, participant = setup
    response = client_for(world.peer).post(
        url("book", world),
        booking(world, venue, participant, timezone.now() + timedelta(days=1), interviewer=world.second_peer.pk),
    )
    assert response.status_code == 200 and not Interview.objects.exists()


def test_reschedule_moves_reminders_and_tells_people(world, client_for, setup):
    venue, participant = setup
    participant.contact_email = "p@example.org"
    participant.wants_reminders = True
    participant.save()
    interview = make_interview(world.project, world.peer, booked_by=world.coordinator, participant=participant)
    actions.sync_interview_reminders(interview)
    assert Notification.objects.about(interview).filter(recipient_participant=participant).count() == 2
    new_start = (timezone.now() + timedelta(days=5)).replace(second=0, microsecond=0)
    response = client_for(world.coordinator).post(
        url("reschedule", world, pk=interview.pk),
        {"interviewer": world.peer.pk, "starts_at": local(new_start), "duration_minutes": 45, "venue": venue.pk},
    )
    assert response.status_code == 302
    pending = Notification.objects.about(interview).pending()
    assert {n.due_at for n in pending.filter(template="appointment-reminder")} == {
        new_start - timedelta(hours=24),
        new_start - timedelta(hours=2),
    }
    moved = pending.filter(template="appointment-moved")
    assert {(n.recipient_id, n.recipient_participant_id) for n in moved} == {(world.peer.pk, None), (None, participant.pk)}
    assert Notification.objects.about(interview).filter(status="cancelled", template="appointment-reminder").count() == 4


def test_cancel_no_show_complete_and_contact_erasure(world, client_for, setup, settings):
    settings.NOTIFY_API_KEY = "test-key"
    settings.NOTIFY_SMS_TEMPLATE_ID = "sms-template"
    settings.NOTIFY_EMAIL_TEMPLATE_ID = ""
    venue, participant = setup
    participant.contact_email = "p@example.org"
    participant.contact_phone = "+447700900123"
    participant.wants_reminders = True
    participant.save()
    interview = make_interview(world.project, world.peer, booked_by=world.coordinator, participant=participant)
    client = client_for(world.coordinator)
    too_early = client.post(url("status", world, pk=interview.pk), {"status": "completed"}, follow=True)
    assert b"has not started yet" in too_early.content
    client.post(url("status", world, pk=interview.pk), {"status": "cancelled"})
    interview.refresh_from_db()
    participant.refresh_from_db()
    assert interview.status == "cancelled"
    cancelled = Notification.objects.about(interview).filter(template="appointment-cancelled")
    # The cancellation notice goes out: nothing cancels it, and the address it needs is kept...
    assert {(n.channel, n.status) for n in cancelled.filter(recipient_participant=participant)} == {
        ("email", "pending"),
        ("sms", "pending"),
    }
    assert cancelled.filter(recipient=world.peer, status="pending").exists()
    assert participant.contact_email == "p@example.org" and participant.wants_reminders
    assert not Notification.objects.about(interview).pending().filter(template="appointment-reminder").exists()
    # ...until it has gone; then the sweeper erases the contact details.
    assert actions.erase_spent_contact_details() == 0
    cancelled.update(status="sent")
    assert actions.erase_spent_contact_details() == 1
    participant.refresh_from_db()
    assert participant.contact_phone is None and participant.contact_email is None and not participant.wants_reminders
    again = client.post(url("status", world, pk=interview.pk), {"status": "no_show"}, follow=True)
    assert b"already cancelled" in again.content


def test_completion_sends_the_signal_after_commit_and_schedules_overdue_notes(
    world, client_for, setup, django_capture_on_commit_callbacks
):
    venue, participant = setup
    participant.contact_email = "p@example.org"
    participant.wants_reminders = True
    participant.save()
    interview = make_interview(
        world.project, world.peer, booked_by=world.coordinator, starts_in=-timedelta(minutes=30), participant=participant
    )
    received = []

    def listener(sender, interview, **kwargs):
        received.append(interview.pk)

    interview_completed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            client_for(world.peer).post(url("status", world, pk=interview.pk), {"status": "completed"})
    finally:
        interview_completed.disconnect(listener)
    interview.refresh_from_db()
    assert received == [interview.pk]
    participant.refresh_from_db()
    assert participant.contact_email is None and not participant.wants_reminders
    overdue = {n.template: n for n in Notification.objects.about(interview).pending()}
    assert overdue["notes-overdue"].due_at == interview.completed_at + timedelta(hours=48)
    assert overdue["notes-overdue"].recipient == world.peer
    assert overdue["notes-overdue-coordinator"].due_at == interview.completed_at + timedelta(hours=96)
    assert overdue["notes-overdue-coordinator"].recipient == world.coordinator


def test_reminders_across_the_clocks_going_back(world, setup):
    """Booked 10:00 London on Monday 27 October 2025, the day after BST ended (26 October)."""
    venue, participant = setup
    with time_machine.travel(datetime(2025, 10, 20, 9, 0, tzinfo=UTC), tick=False):
        starts_at = datetime(2025, 10, 27, 10, 0, tzinfo=world.project.tzinfo)
        interview = actions.book_interview(
            project=world.project,
            participant=participant,
            interviewer=world.peer,
            starts_at=starts_at,
            duration_minutes=60,
            venue=venue,
            by=world.coordinator,
        )
    due = sorted(n.due_at for n in Notification.objects.about(interview))
    assert starts_at.astimezone(UTC) == datetime(2025, 10, 27, 10, 0, tzinfo=UTC)  # GMT again
    assert due == [datetime(2025, 10, 26, 10, 0, tzinfo=UTC), datetime(2025, 10, 27, 8, 0, tzinfo=UTC)]
    interview2 = None
    with time_machine.travel(datetime(2025, 10, 20, 9, 0, tzinfo=UTC), tick=False):
        other = consenting_participant(world.project, world.coordinator)
        # 09:30 GMT on 26 October: 24 hours earlier is 10:30 BST (09:30 UTC) on the 25th, not 09:30 BST.
        interview2 = actions.book_interview(
            project=world.project,
            participant=other,
            interviewer=world.second_peer,
            starts_at=datetime(2025, 10, 26, 9, 30, tzinfo=world.project.tzinfo),
            duration_minutes=60,
            venue=venue,
            by=world.coordinator,
        )
    due2 = sorted(n.due_at for n in Notification.objects.about(interview2))
    assert due2 == [datetime(2025, 10, 25, 9, 30, tzinfo=UTC), datetime(2025, 10, 26, 7, 30, tzinfo=UTC)]


def test_ics_has_a_neutral_title(world, client_for, setup):
    interview = make_interview(world.project, world.peer, booked_by=world.coordinator)
    response = client_for(world.peer).get(url("ics", world, pk=interview.pk))
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Appointment"
    body = response.content.decode()
    assert interview.participant.code not in body and "nterview" not in body and "North hub" not in body


def test_list_and_week_filter_and_scope(world, client_for, setup):
    mine = make_interview(world.project, world.peer, booked_by=world.coordinator)
    theirs = make_interview(world.project, world.second_peer, booked_by=world.coordinator)
    peer_page = client_for(world.peer).get(url("list", world)).content.decode()
    assert mine.participant.code in peer_page and theirs.participant.code not in peer_page
    client = client_for(world.coordinator)
    filtered = client.get(url("list", world), {"interviewer": world.second_peer.pk}).content.decode()
    assert theirs.participant.code in filtered and mine.participant.code not in filtered
    week = client.get(url("week", world), {"week": timezone.localtime(mine.starts_at).strftime("%Y-%m-%d")}).content.decode()
    assert mine.participant.code in week
    assert client.get(url("week", world), {"week": "not-a-date"}).status_code == 200
    assert client.get(url("week", world), {"week": "0001-01-01"}).status_code == 200
    assert client.get(url("week", world), {"week": "9999-12-31"}).status_code == 200
    assert client.get(url("list", world), {"page": "9999", "status": "nonsense", "venue": "x"}).status_code == 200


def test_list_query_count_is_constant(world, client_for, setup, django_assert_max_num_queries):
    client = client_for(world.coordinator)
    for _ in range(2):
        make_interview(world.project, world.peer, booked_by=world.coordinator)
    with django_assert_max_num_queries(20) as few:
        client.get(url("list", world))
    for _ in range(20):
        make_interview(world.project, world.peer, booked_by=world.coordinator)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url("list", world))


def test_another_researchers_interview_and_another_project_are_404(world, client_for, setup):
    theirs = make_interview(world.project, world.second_peer, booked_by=world.coordinator)
    elsewhere = make_interview(world.other_project, world.outsiders["peer_researcher"], booked_by=world.outsiders["coordinator"])
    client = client_for(world.peer)
    assert client.get(url("detail", world, pk=theirs.pk)).status_code == 404
    assert client.post(url("status", world, pk=theirs.pk), {"status": "cancelled"}).status_code == 404
    assert client_for(world.coordinator).get(url("detail", world, pk=elsewhere.pk)).status_code == 404
    assert Interview.objects.get(pk=theirs.pk).status == "scheduled"


def test_safeguarding_flag_alerts_coordinators_neutrally_and_is_audited(world, client_for, setup):
    interview = make_interview(world.project, world.peer, booked_by=world.coordinator)
    response = client_for(world.peer).post(url("flag", world, pk=interview.pk), {"detail": "Talk to me today"})
    assert response.status_code == 302
    (alert,) = Notification.objects.filter(template="coordinator-alert")
    assert alert.recipient == world.coordinator and alert.due_at <= timezone.now()
    assert AuditEvent.objects.filter(action="safeguarding.raised").exists()
    peer_view = client_for(world.peer).get(url("detail", world, pk=interview.pk)).content.decode()
    assert "Talk to me today" not in peer_view
    coordinator = client_for(world.coordinator)
    assert "Talk to me today" in coordinator.get(url("detail", world, pk=interview.pk)).content.decode()
    dashboard = coordinator.get(reverse("coproduction:dashboard", kwargs={"slug": world.project.slug})).content.decode()
    assert "Open concerns" in dashboard and "Talk to me today" not in dashboard
    flag = interview.flags.get()
    coordinator.post(url("flag_resolve", world, pk=flag.pk))
    flag.refresh_from_db()
    assert flag.resolved_by == world.coordinator
    assert AuditEvent.objects.filter(action="safeguarding.resolved").exists()
    assert client_for(world.analyst).get(url("flag", world, pk=interview.pk)).status_code == 403


def test_an_interview_without_current_consent_cannot_be_completed(world, client_for, setup):
    interview = make_interview(world.project, world.peer, booked_by=world.coordinator, starts_in=-timedelta(minutes=10))
    interview.participant.consents.update(withdrawn_at=timezone.now())
    response = client_for(world.peer).post(url("status", world, pk=interview.pk), {"status": "completed"}, follow=True)
    assert b"no current consent" in response.content
    interview.refresh_from_db()
    assert interview.status == "scheduled"


def test_booking_form_starts_from_the_participant_page(world, client_for, setup):
    venue, participant = setup
    page = client_for(world.coordinator).get(url("book", world), {"participant": participant.pk}).content.decode()
    assert f'<option value="{participant.pk}" selected>' in page


def test_unreadable_start_time_gets_a_clear_message(world, client_for, setup):
    venue, participant = setup
    data = booking(world, venue, participant, timezone.now() + timedelta(days=1))
    data["starts_at"] = "next tuesday-ish"
    response = client_for(world.coordinator).post(url("book", world), data)
    assert b"Enter the start as a date and time" in response.content
    assert b"next tuesday-ish" in response.content  # what was typed is kept
    assert not Interview.objects.exists()
