"""Claiming and delivering outbox rows: once only, retries with backoff, final failure, channels."""

from datetime import timedelta
from email import message_from_bytes

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from icalendar import Calendar
from notifications_python_client.errors import HTTPError

from coproduction.models import Notification
from coproduction.notifications import delivery, outbox
from tests.factories import ParticipantFactory
from tests.reminders.conftest import FakeNotifyClient, utc

Status = Notification.Status


def claim_and_deliver(now=None) -> list[int]:
    ids = delivery.claim_due_notifications(now, queue=False)
    for pk in ids:
        delivery.deliver_notification(pk, now)
    return ids


def fake_queue(monkeypatch, queued: list | None = None, *, broker_down: bool = False) -> list:
    """Replace the broker: record the ids handed to the delivery task (or refuse them)."""
    queued = [] if queued is None else queued

    def apply_async(args, expires):
        if broker_down:
            raise ConnectionRefusedError
        assert expires == delivery.settings.NOTIFICATION_QUEUE_EXPIRES_SECONDS
        queued.append(args[0])

    monkeypatch.setattr("coproduction.notifications.tasks.deliver_notification_task.apply_async", apply_async)
    return queued


def test_a_due_row_is_claimed_then_queued_after_commit(world, make_row, django_capture_on_commit_callbacks, monkeypatch):
    row = make_row(recipient=world.peer, project=world.project)
    queued = fake_queue(monkeypatch)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert delivery.claim_due_notifications() == [row.pk]
    assert queued == []  # nothing leaves before the claim commits
    row.refresh_from_db()
    assert row.queued_at is None
    for callback in callbacks:
        callback()
    assert queued == [row.pk]  # an id, nothing else
    row.refresh_from_db()
    # A claim is not an attempt: nothing has been tried yet.
    assert (row.status, row.attempts, row.started_at) == (Status.SENDING, 0, None)
    assert row.claimed_at is not None and row.queued_at is not None


def test_delivery_sends_text_html_and_a_neutral_calendar_invite(world, make_row):
    row = make_row(recipient=world.peer, project=world.project)
    assert claim_and_deliver() == [row.pk]
    row.refresh_from_db()
    assert row.status == Status.SENT and row.sent_at
    (email,) = mail.outbox
    assert email.to == [world.peer.email]
    assert "You have an appointment tomorrow at" in email.body
    assert email.alternatives[0].mimetype == "text/html"
    name, content, mimetype = email.attachments[0]
    assert (name, mimetype) == ("appointment.ics", "text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Appointment"
    assert event.decoded("DTSTART") == row.starts_at.replace(microsecond=0)
    assert "DESCRIPTION" not in event and "LOCATION" not in event
    parsed = message_from_bytes(email.message().as_bytes())
    assert parsed.is_multipart()


def test_a_row_not_due_yet_waits(world, make_row):
    make_row(recipient=world.peer, due_at=timezone.now() + timedelta(minutes=5))
    assert claim_and_deliver() == []
    assert mail.outbox == []


def test_delivering_the_same_id_twice_sends_once(world, make_row):
    row = make_row(recipient=world.peer)
    (pk,) = delivery.claim_due_notifications(queue=False)
    assert delivery.deliver_notification(pk) is True
    assert delivery.deliver_notification(pk) is False
    assert len(mail.outbox) == 1
    assert delivery.claim_due_notifications(queue=False) == []
    row.refresh_from_db()
    assert row.attempts == 1


def test_a_row_cancelled_after_its_claim_is_not_sent(world, make_row):
    about = ParticipantFactory(project=world.project)
    row = make_row(recipient=world.peer, about=about)
    (pk,) = delivery.claim_due_notifications(queue=False)
    assert outbox.cancel_reminders(about) == 1
    assert delivery.deliver_notification(pk) is False
    row.refresh_from_db()
    assert row.status == Status.CANCELLED
    assert mail.outbox == []


def test_a_pending_row_is_never_delivered_without_a_claim(world, make_row):
    row = make_row(recipient=world.peer)
    assert delivery.deliver_notification(row.pk) is False
    assert mail.outbox == []


def test_a_transient_failure_retries_with_exponential_backoff_then_fails(world, make_row, settings, monkeypatch):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    settings.NOTIFICATION_RETRY_SECONDS = 60

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    row = make_row(recipient=world.peer, project=world.project)
    now = timezone.now()
    waits = []
    for _ in range(3):
        assert claim_and_deliver(now) == [row.pk]
        row.refresh_from_db()
        if row.status == Status.PENDING:
            waits.append(row.not_before - now)
            assert claim_and_deliver(now) == []  # held back until not_before
            now = row.not_before
    assert waits == [timedelta(seconds=60), timedelta(seconds=120)]
    assert (row.status, row.attempts, row.last_error) == (Status.FAILED, 3, "ConnectionRefusedError")
    assert row.failed_at is not None


def test_a_transient_failure_then_success_sends_once(world, make_row, monkeypatch):
    calls = []
    real_send = delivery.SENDERS[Notification.Channel.EMAIL]

    def flaky(row, message):
        calls.append(row.pk)
        if len(calls) == 1:
            raise delivery.TransientError("TimeoutError")
        real_send(row, message)

    monkeypatch.setitem(delivery.SENDERS, Notification.Channel.EMAIL, flaky)
    row = make_row(recipient=world.peer)
    claim_and_deliver()
    row.refresh_from_db()
    claim_and_deliver(row.not_before)
    row.refresh_from_db()
    assert row.status == Status.SENT and len(mail.outbox) == 1 and row.attempts == 2


def test_no_address_is_a_permanent_failure(world, make_row):
    participant = ParticipantFactory(project=world.project, wants_reminders=True, contact_email=None)
    row = make_row(recipient_participant=participant, project=world.project)
    claim_and_deliver()
    row.refresh_from_db()
    assert (row.status, row.last_error, row.attempts) == (Status.FAILED, "NoAddress", 1)


def test_an_address_no_key_opens_fails_the_row_and_sends_nothing(world, make_row, field_keys):
    from cryptography.fernet import Fernet

    from tests.encrypted_records import write_column

    participant = ParticipantFactory(project=world.project, wants_reminders=True, contact_email="p@example.org")
    row = make_row(recipient_participant=participant, project=world.project)
    foreign = Fernet(Fernet.generate_key()).encrypt(b"p@example.org").decode()
    write_column(type(participant), "contact_email", participant.pk, foreign)
    claim_and_deliver()
    row.refresh_from_db()
    assert (row.status, row.last_error) == (Status.FAILED, "CannotOpen")
    assert mail.outbox == []


def test_a_sealed_message_no_key_opens_fails_unsent(world, make_row):
    from cryptography.fernet import Fernet

    from tests.encrypted_records import read_column, write_column

    row = make_row(recipient=world.coordinator, project=world.project, template="invitation", sealed_message="{}")
    write_column(Notification, "sealed_message", row.pk, Fernet(Fernet.generate_key()).encrypt(b"{}").decode())
    claim_and_deliver()
    row.refresh_from_db()
    assert (row.status, row.last_error) == (Status.FAILED, "CannotOpen")
    assert read_column(Notification, "sealed_message", row.pk) is None  # erased, not kept as ciphertext
    assert mail.outbox == []


def test_a_participant_who_withdrew_gets_nothing(world, make_row):
    participant = ParticipantFactory(project=world.project, wants_reminders=True, contact_email="p@example.org")
    row = make_row(recipient_participant=participant, project=world.project)
    participant.withdrawn_at = timezone.now()
    participant.save()
    claim_and_deliver()
    row.refresh_from_db()
    assert row.status == Status.CANCELLED and mail.outbox == []


def test_a_reminder_delayed_past_its_appointment_is_not_sent(world, make_row):
    now = timezone.now()
    row = make_row(recipient=world.peer, due_at=now - timedelta(days=2), starts_at=now - timedelta(hours=1))
    claim_and_deliver()
    row.refresh_from_db()
    assert (row.status, row.last_error) == (Status.CANCELLED, "AppointmentPassed")


def test_a_send_that_died_is_tried_again_after_the_lease_and_sent_once(world, make_row, settings):
    """A worker killed while sending: the attempt was counted; after the lease it is queued again."""
    settings.NOTIFICATION_LEASE_SECONDS = 300
    row = make_row(recipient=world.peer)
    now = timezone.now()
    assert delivery.claim_due_notifications(now, queue=False) == [row.pk]
    assert delivery.start_attempt(row.pk, now) == now  # ... and the worker dies inside the send
    # A duplicate message for the same row meanwhile does not start a second send.
    assert delivery.deliver_notification(row.pk, now + timedelta(seconds=10)) is False
    assert delivery.claim_due_notifications(now + timedelta(seconds=299), queue=False) == []
    assert claim_and_deliver(now + timedelta(seconds=301)) == [row.pk]
    row.refresh_from_db()
    assert (row.status, row.attempts, len(mail.outbox)) == (Status.SENT, 2, 1)


def test_sends_that_keep_dying_fail_in_the_end(world, make_row, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    row = make_row(recipient=world.peer)
    now = timezone.now()
    for minutes in (0, 10, 20):
        moment = now + timedelta(minutes=minutes)
        if delivery.claim_due_notifications(moment, queue=False):
            delivery.start_attempt(row.pk, moment)  # the worker dies each time
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.FAILED, 2, "LeaseExpired")


def test_a_row_waiting_in_a_slow_queue_is_not_claimed_again(
    world, make_row, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """The queue is slower than the lease: the row waits for its message, with no attempt used."""
    settings.NOTIFICATION_LEASE_SECONDS = 60
    settings.NOTIFICATION_QUEUE_EXPIRES_SECONDS = 900
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    queued = fake_queue(monkeypatch)
    row = make_row(recipient=world.peer)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.claim_due_notifications(now) == [row.pk]
    for minutes in range(1, 15):  # beat runs every minute while the message waits
        with django_capture_on_commit_callbacks(execute=True):
            assert delivery.claim_due_notifications(now + timedelta(minutes=minutes)) == []
    assert queued == [row.pk]
    assert delivery.deliver_notification(row.pk, now + timedelta(minutes=14)) is True
    row.refresh_from_db()
    assert (row.status, row.attempts, len(mail.outbox)) == (Status.SENT, 1, 1)


def test_a_message_that_expired_unread_is_queued_again(
    world, make_row, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_QUEUE_EXPIRES_SECONDS = 900
    queued = fake_queue(monkeypatch)
    row = make_row(recipient=world.peer)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        delivery.claim_due_notifications(now)
    row.refresh_from_db()
    assert delivery.claim_due_notifications(row.queued_at + timedelta(seconds=899)) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.claim_due_notifications(row.queued_at + timedelta(seconds=901)) == [row.pk]
    assert queued == [row.pk, row.pk]
    row.refresh_from_db()
    assert row.attempts == 0


def test_a_broker_outage_while_queueing_is_recovered_by_the_next_beat(
    world, make_row, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    rows = [make_row(recipient=world.peer) for _ in range(3)]
    fake_queue(monkeypatch, broker_down=True)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert len(delivery.claim_due_notifications(now)) == 3
    assert {(r.status, r.queued_at) for r in Notification.objects.all()} == {(Status.SENDING, None)}
    assert "notification queue unavailable (ConnectionRefusedError)" in caplog.text
    # The broker is back: the next beat (a minute later, not a lease later) queues them again.
    queued = fake_queue(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        assert sorted(delivery.claim_due_notifications(now + timedelta(seconds=60))) == sorted(r.pk for r in rows)
    assert sorted(queued) == sorted(r.pk for r in rows)
    for pk in queued:
        assert delivery.deliver_notification(pk) is True
    assert len(mail.outbox) == 3
    assert {r.attempts for r in Notification.objects.all()} == {1}


def test_an_unforeseen_error_fails_the_row_without_content(world, make_row, monkeypatch):
    def broken(row, message):
        raise KeyError("secret content")

    monkeypatch.setitem(delivery.SENDERS, Notification.Channel.EMAIL, broken)
    row = make_row(recipient=world.peer)
    claim_and_deliver()
    row.refresh_from_db()
    assert (row.status, row.last_error) == (Status.FAILED, "KeyError")


@time_machine.travel(utc(2026, 6, 10, 11, 0), tick=False)  # midday in London: no quiet hours
def test_notify_email_and_sms_go_through_the_client(world, make_row, notify):
    peer = world.peer
    peer.phone_number = "+447700900982"
    peer.save()
    email_row = make_row(recipient=peer, channel=Notification.Channel.NOTIFY_EMAIL, project=world.project)
    sms_row = make_row(recipient=peer, channel=Notification.Channel.SMS, template="coordinator-alert", project=world.project)
    claim_and_deliver()
    (email,) = notify.emails
    assert email["email_address"] == peer.email and email["template_id"] == "email-template"
    assert email["personalisation"]["subject"].startswith("Reminder: appointment")
    assert email["reference"] == f"n{email_row.pk}"  # an id, not content
    (sms,) = notify.sms
    assert sms["phone_number"] == "+447700900982"
    assert sms["personalisation"] == {"body": "Something in your project needs your attention. Sign in for details."}
    assert Notification.objects.get(pk=sms_row.pk).status == Status.SENT


class FakeResponse:
    def __init__(self, status_code):
        self.status_code = status_code

    def json(self):
        return {"errors": [{"message": "whatever"}]}


@pytest.mark.parametrize(("code", "status"), [(500, Status.PENDING), (429, Status.PENDING), (400, Status.FAILED)])
def test_notify_errors_are_retried_or_final(world, make_row, monkeypatch, settings, code, status):
    settings.NOTIFY_API_KEY = "k"
    settings.NOTIFY_EMAIL_TEMPLATE_ID = "t"
    monkeypatch.setattr(
        "coproduction.notifications.delivery.notify_client", lambda: FakeNotifyClient(HTTPError(FakeResponse(code)))
    )
    row = make_row(recipient=world.peer, channel=Notification.Channel.NOTIFY_EMAIL)
    claim_and_deliver()
    row.refresh_from_db()
    assert row.status == status
    assert row.last_error == f"HTTPError{code}"


def test_sms_without_notify_configured_fails_visibly(world, make_row, settings):
    settings.NOTIFY_API_KEY = ""
    world.peer.phone_number = "+447700900982"
    world.peer.save()
    with time_machine.travel(utc(2026, 6, 10, 11, 0), tick=False):
        row = make_row(recipient=world.peer, channel=Notification.Channel.SMS)
        claim_and_deliver()
    row.refresh_from_db()
    assert (row.status, row.last_error) == (Status.FAILED, "NotifyNotConfigured")


def test_management_command_delivers_without_a_broker(world, make_row, capsys):
    make_row(recipient=world.peer)
    call_command("deliver_due_notifications", "--no-digest")
    assert "1 claimed, 1 sent, 0 failed." in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_the_tasks_take_ids_and_run_the_functions(world, make_row, monkeypatch):
    from coproduction.notifications import tasks

    row = make_row(recipient=world.peer)
    fake_queue(monkeypatch)
    assert tasks.claim_due_notifications() is True
    assert tasks.deliver_notification_task(str(row.pk)) is True
    assert tasks.claim_due_notifications() is False


def test_participants_get_text_messages_only_when_notify_is_configured(world, settings):
    participant = ParticipantFactory(
        project=world.project, wants_reminders=True, contact_email="p@example.org", contact_phone="+447911123456"
    )
    reminder = outbox.Reminder("appointment-reminder", timezone.now(), "24h-before", participant=participant)
    settings.NOTIFY_API_KEY = ""
    assert outbox.channels_for(reminder) == [Notification.Channel.EMAIL]
    settings.NOTIFY_API_KEY = "k"
    settings.NOTIFY_EMAIL_TEMPLATE_ID = "e"
    settings.NOTIFY_SMS_TEMPLATE_ID = "s"
    assert outbox.channels_for(reminder) == [Notification.Channel.NOTIFY_EMAIL, Notification.Channel.SMS]


def test_a_backlog_is_claimed_in_batches_in_one_run(world, make_row, settings):
    settings.NOTIFICATION_BATCH_SIZE = 2
    for _ in range(5):
        make_row(recipient=world.peer)
    assert delivery.claim_all_due(max_batches=10) == 5
    assert Notification.objects.filter(status=Status.SENDING).count() == 5
