"""Follow-up notices: one per person per published version, through the outbox, neutral, with
the public page's opaque link; exactly once under a duplicate call, a duplicate beat and
concurrent ones; cancelled when the world changed; nothing identifying in the logs."""

import logging
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections
from django.urls import resolve, reverse
from django.utils import timezone

from coproduction.models import Consent, FollowUpContact, Notification, PublishedVersion
from coproduction.notifications import delivery
from coproduction.participation.actions import withdraw_participant
from coproduction.publication import follow_up
from coproduction.publication.notices import schedule_follow_up_notices
from tests.publication.follow_up_factories import give_consent, participant_contact, published_version, resident_contact
from tests.reminders.conftest import FakeNotifyClient

Status = Notification.Status


def claim_and_deliver() -> list[int]:
    ids = delivery.claim_due_notifications(queue=False)
    for pk in ids:
        delivery.deliver_notification(pk)
    return ids


@pytest.fixture
def notify(monkeypatch, settings):
    settings.NOTIFY_API_KEY = "test-key"
    settings.NOTIFY_EMAIL_TEMPLATE_ID = "email-template"
    settings.NOTIFY_SMS_TEMPLATE_ID = "sms-template"
    client = FakeNotifyClient()
    monkeypatch.setattr("coproduction.notifications.delivery.notify_client", lambda: client)
    return client


@pytest.fixture
def version(world) -> PublishedVersion:
    return published_version(world.project, world.coordinator)


def link_of(version: PublishedVersion, settings) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/s/{version.publication.public_id}/"


# ---------------------------------------------------------------- scheduling


@pytest.mark.django_db
def test_each_person_who_asked_gets_one_notice_due_now_and_a_second_call_creates_nothing(world, version):
    participant = participant_contact(world, email="kit@example.org")
    resident = resident_contact(world.project, email="sam@example.org")
    no_longer = participant_contact(world, email="jo@example.org", follow_up=False)  # consent changed meanwhile
    erased = resident_contact(world.project, email="gone@example.org")
    erased.erase()
    resident_contact(world.other_project, email="elsewhere@example.org")

    assert schedule_follow_up_notices(version) == 2
    assert schedule_follow_up_notices(version) == 0

    rows = Notification.objects.order_by("pk")
    assert [row.recipient_follow_up for row in rows] == [participant, resident]
    for row in rows:
        assert (row.template, row.status, row.channel, row.project) == (
            "follow-up-update",
            Status.PENDING,
            "email",
            world.project,
        )
        assert (row.about_type, row.about_id) == ("coproduction.publishedversion", str(version.pk))
        assert row.recipient_id is None and row.recipient_participant_id is None  # not the reminder details
        assert row.due_at <= timezone.now()
        assert row.idempotency_key == f"follow-up:v{version.pk}:c{row.recipient_follow_up_id}"
    assert not Notification.objects.filter(recipient_follow_up__in=[no_longer, erased]).exists()


@pytest.mark.django_db
def test_each_new_version_gets_its_own_notice(world, version):
    participant_contact(world)
    assert schedule_follow_up_notices(version) == 1
    second = published_version(world.project, world.coordinator)
    assert schedule_follow_up_notices(second) == 1
    assert schedule_follow_up_notices(second) == 0
    assert Notification.objects.count() == 2


@pytest.mark.django_db
def test_one_person_with_two_sets_of_details_gets_one_notice(world, version):
    first = participant_contact(world, email="Kit@Example.org")
    resident_contact(world.project, email="kit@example.org")  # the same person, on the request form
    resident_contact(world.project, phone="+447700900123")
    resident_contact(world.project, phone="+447700900123")
    assert schedule_follow_up_notices(version) == 2
    assert Notification.objects.filter(recipient_follow_up=first).count() == 1


@pytest.mark.django_db
def test_channels_email_through_notify_when_configured_and_text_for_a_number_alone(world, version, notify):
    participant_contact(world, email="kit@example.org", phone="+447700900111")
    resident_contact(world.project, phone="+447700900123")
    schedule_follow_up_notices(version)
    assert sorted(Notification.objects.values_list("channel", flat=True)) == ["notify_email", "sms"]


@pytest.mark.django_db
def test_nothing_for_an_unpublished_version_or_after_the_follow_up_end_date(world, version):
    participant_contact(world)
    version.unpublished_at, version.unpublished_by = timezone.now(), world.coordinator
    version.save(update_fields=["unpublished_at", "unpublished_by"])
    assert schedule_follow_up_notices(version) == 0
    live = published_version(world.project, world.coordinator)
    world.project.follow_up_ends_on = timezone.localdate(timezone=world.project.tzinfo) - timedelta(days=1)
    world.project.save()
    assert schedule_follow_up_notices(live) == 0
    world.project.follow_up_ends_on = timezone.localdate(timezone=world.project.tzinfo)
    world.project.save()
    assert schedule_follow_up_notices(live) == 1  # on the end date itself, still sent (then erased)


@pytest.mark.django_db
def test_scheduling_queries_stay_flat_as_contacts_grow(world, version, django_assert_max_num_queries):
    for n in range(3):
        participant_contact(world, email=f"p{n}@example.org")
    with django_assert_max_num_queries(20) as few:
        schedule_follow_up_notices(version)
    for n in range(3, 12):
        participant_contact(world, email=f"p{n}@example.org")
    second = published_version(world.project, world.coordinator)
    fixed = len(few.captured_queries) - 3 * 3  # per contact: savepoint, insert, release
    with django_assert_max_num_queries(fixed + 12 * 3):
        assert schedule_follow_up_notices(second) == 12


# ---------------------------------------------------------------- delivering


@pytest.mark.django_db
def test_the_notice_is_delivered_once_with_the_opaque_link_and_neutral_words(world, version, settings):
    settings.SITE_URL = "https://updates.example.org"
    participant_contact(world, email="kit@example.org")
    schedule_follow_up_notices(version)

    assert len(claim_and_deliver()) == 1
    assert claim_and_deliver() == []  # a second beat: nothing more

    [message] = mail.outbox
    link = f"https://updates.example.org/s/{version.publication.public_id}/"
    assert message.to == ["kit@example.org"] and message.subject == "An update"
    assert message.body.startswith(f"There is an update from a project you took part in: {link}")
    assert "ask the team" in message.body and "Sign in" not in message.body
    html = message.alternatives[0][0]
    assert f'<a href="{link}">' in html and "Sign in" not in html
    everything = " ".join([message.subject, message.body, html]).lower()
    for word in ("riverside", world.project.slug, "sex", "interview", "strategy", "participant", "sw-"):
        assert word not in everything
    assert not message.attachments  # no calendar file
    assert Notification.objects.get().status == Status.SENT


@pytest.mark.django_db
def test_the_link_is_the_public_page_of_the_latest_version(world, version, settings):
    participant_contact(world)
    schedule_follow_up_notices(version)
    claim_and_deliver()
    [message] = mail.outbox
    link = f"{settings.SITE_URL.rstrip('/')}/s/{version.publication.public_id}/"
    assert link in message.body
    match = resolve(link.removeprefix(settings.SITE_URL.rstrip("/")))
    assert (match.namespace, match.url_name) == ("publication_public", "latest")


@pytest.mark.django_db
def test_the_same_id_delivered_twice_sends_once(world, version):
    participant_contact(world)
    schedule_follow_up_notices(version)
    (pk,) = delivery.claim_due_notifications(queue=False)
    assert delivery.deliver_notification(pk) is True
    assert delivery.deliver_notification(pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_text_messages_go_through_notify_with_the_link(world, version, notify, settings):
    resident_contact(world.project, phone="+447700900123")
    schedule_follow_up_notices(version)
    claim_and_deliver_at_noon(world)
    [sms] = notify.sms
    assert sms["phone_number"] == "+447700900123"
    assert sms["personalisation"]["body"].startswith(
        f"There is an update from a project you took part in: {link_of(version, settings)}"
    )
    assert len(sms["personalisation"]["body"]) <= 160


def claim_and_deliver_at_noon(world):
    """Text messages wait for the morning: deliver at noon, project time."""
    import time_machine

    noon = timezone.localtime(timezone=world.project.tzinfo).replace(hour=12, minute=0) + timedelta(days=1)
    with time_machine.travel(noon, tick=False):
        return claim_and_deliver()


@pytest.mark.django_db
def test_notify_email_carries_the_neutral_subject_and_link(world, version, notify, settings):
    participant_contact(world, email="kit@example.org")
    schedule_follow_up_notices(version)
    claim_and_deliver()
    [email] = notify.emails
    assert email["email_address"] == "kit@example.org"
    assert email["personalisation"]["subject"] == "An update"
    assert link_of(version, settings) in email["personalisation"]["body"]


@pytest.mark.django_db
def test_details_erased_after_scheduling_are_never_used(world, version):
    contact = participant_contact(world)
    schedule_follow_up_notices(version)
    (pk,) = delivery.claim_due_notifications(queue=False)
    FollowUpContact.objects.filter(pk=contact.pk).update(erased_at=timezone.now())  # as a sweeper racing the beat would
    assert delivery.deliver_notification(pk) is False
    row = Notification.objects.get()
    assert (row.status, row.last_error) == (Status.CANCELLED, "FollowUpContactErased") and mail.outbox == []


@pytest.mark.django_db
def test_a_participant_whose_consent_no_longer_allows_follow_up_gets_nothing(world, version):
    contact = participant_contact(world)
    schedule_follow_up_notices(version)
    (pk,) = delivery.claim_due_notifications(queue=False)
    # A consent recorded past the workflow (which would also erase the details): delivery checks again.
    Consent.objects.filter(participant=contact.participant).update(withdrawn_at=timezone.now())
    give_consent(contact.participant, world.coordinator, follow_up=False)
    assert delivery.deliver_notification(pk) is False
    row = Notification.objects.get()
    assert (row.status, row.last_error) == (Status.CANCELLED, "FollowUpNotAllowed") and mail.outbox == []


@pytest.mark.django_db
def test_a_participant_who_withdrew_gets_nothing(world, version):
    contact = participant_contact(world)
    schedule_follow_up_notices(version)
    (pk,) = delivery.claim_due_notifications(queue=False)
    withdraw_participant(contact.participant, by=world.coordinator)
    assert delivery.deliver_notification(pk) is False
    assert Notification.objects.get().status == Status.CANCELLED and mail.outbox == []


@pytest.mark.django_db
def test_a_version_unpublished_before_delivery_sends_nothing(world, version):
    participant_contact(world)
    schedule_follow_up_notices(version)
    version.unpublished_at, version.unpublished_by = timezone.now(), world.coordinator
    version.save(update_fields=["unpublished_at", "unpublished_by"])
    claim_and_deliver()
    row = Notification.objects.get()
    assert (row.status, row.last_error) == (Status.CANCELLED, "VersionUnpublished") and mail.outbox == []


@pytest.mark.django_db
def test_details_no_key_opens_fail_the_notice_visibly_and_send_nothing(world, version, client_for):
    from cryptography.fernet import Fernet

    from tests.encrypted_records import write_column

    contact = participant_contact(world, email="kit@example.org")
    write_column(FollowUpContact, "email", contact.pk, Fernet(Fernet.generate_key()).encrypt(b"kit@example.org").decode())
    assert schedule_follow_up_notices(version) == 1
    claim_and_deliver()
    row = Notification.objects.get()
    assert (row.status, row.last_error) == (Status.FAILED, "CannotOpen") and mail.outbox == []
    assert row in Notification.objects.undelivered_for(world.project)  # on the coordinators' page
    page = client_for(world.coordinator).get(reverse("notifications:failed", kwargs={"slug": world.project.slug}))
    assert f"Details for updates of {contact.participant.code}" in page.content.decode()


@pytest.mark.django_db
def test_nothing_identifying_reaches_the_logs(world, version, caplog, client_for, notify):
    caplog.set_level(logging.DEBUG)
    participant = participant_contact(world, email="kit.private@example.org").participant
    client_for(world.coordinator).post(
        reverse("participation:follow_up", kwargs={"slug": world.project.slug, "pk": participant.pk}),
        {"updates-email": "kit.private@example.org", "updates-phone": "07700 900 111"},
    )
    resident_contact(world.project, phone="+447700900123")
    schedule_follow_up_notices(version)
    claim_and_deliver_at_noon(world)
    assert len(notify.emails) == 1 and len(notify.sms) == 1
    follow_up.stop_updates(project=world.project, address="+447700900123", by=world.coordinator)
    logged = caplog.text
    assert "notification" in logged  # the delivery was logged, by id
    for secret in ("kit.private", "+447700900111", "+447700900123", "07700", participant.code, version.publication.public_id):
        assert secret not in logged, secret


# ---------------------------------------------------------------- at the same moment (PostgreSQL row locks)


def _run_together(*calls):
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_publishes_and_two_beats_at_once_send_each_person_one_notice(world):
    version = published_version(world.project, world.coordinator)
    for n in range(5):
        participant_contact(world, email=f"p{n}@example.org")
    resident_contact(world.project, email="sam@example.org")

    created = _run_together(lambda: schedule_follow_up_notices(version), lambda: schedule_follow_up_notices(version))
    assert sum(created) == 6 and Notification.objects.count() == 6

    claimed = _run_together(
        lambda: delivery.claim_due_notifications(queue=False), lambda: delivery.claim_due_notifications(queue=False)
    )
    assert sorted(pk for batch in claimed for pk in batch) == sorted(Notification.objects.values_list("pk", flat=True))
    ids = list(Notification.objects.values_list("pk", flat=True))
    # Two workers given every id (a duplicate message for each row): each row is sent once.
    _run_together(*[lambda pk=pk: delivery.deliver_notification(pk) for pk in ids * 2])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([f"p{n}@example.org" for n in range(5)] + ["sam@example.org"])
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}


# ---------------------------------------------------------------- with the real publishing workflow


@pytest.mark.django_db
def test_publishing_a_version_queues_one_notice_per_person_and_publishing_again_one_more(world, settings):
    from coproduction.publication import actions
    from tests.publication.factories import composed

    participant_contact(world, email="kit@example.org")
    resident_contact(world.project, email="sam@example.org")
    publication, _, _ = composed(world.project, world.analyst)

    first = actions.publish(publication, by=world.coordinator)
    assert Notification.objects.filter(about_id=str(first.pk), template="follow-up-update").count() == 2
    claim_and_deliver()
    assert sorted(m.to[0] for m in mail.outbox) == ["kit@example.org", "sam@example.org"]
    page_words = " ".join(m.body for m in mail.outbox)
    assert "outreach" not in page_words.lower()  # nothing of the page's content travels in the notice

    second = actions.publish(publication, by=world.coordinator)
    assert Notification.objects.filter(about_id=str(second.pk)).count() == 2
    assert Notification.objects.count() == 4
