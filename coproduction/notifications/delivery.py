"""Delivering the notification outbox: claim due rows, then send each one exactly once.

How a row travels (statuses of coproduction.models.Notification):

1. `claim_due_notifications` (beat, every minute) locks due pending rows with
   `select_for_update(skip_locked=True)`, so two copies of it running at once claim disjoint
   rows. Each claimed row becomes `sending` (`claimed_at`); its id is queued to
   `deliver_notification` after the claim commits, and `queued_at` records that the broker
   took it. Claiming counts no attempt. A text message due in the recipient's quiet hours is
   not claimed: it is held back (`not_before`) until 08:00. The same run queues again the
   `sending` rows that need it: ids the broker refused (the next beat after the outage),
   messages that expired unread in the queue (NOTIFICATION_QUEUE_EXPIRES_SECONDS; a worker
   drops an expired message, so there are never two live messages for one row), and sends
   that started but neither finished nor failed within NOTIFICATION_LEASE_SECONDS (the
   worker died). A row still waiting in a slow queue is left alone. Nothing is lost while the
   database keeps the row.
2. `deliver_notification(id)` first counts the attempt and marks the send started
   (`started_at`) in its own short transaction, so an attempt is a send attempt and a worker
   killed while sending still used one; a duplicate message for a row another worker has
   started is dropped. Then it re-reads the row and locks it for the whole send. It sends
   only if the row is still `sending` with this start (not cancelled, not already sent), and
   marks it `sent` in the same transaction. A transient failure puts the row back to
   `pending` with an exponential backoff; after NOTIFICATION_MAX_ATTEMPTS started attempts,
   or on a permanent failure, the row is `failed` and shows on the coordinators' page. Errors
   are recorded by class name only, never content.

What "exactly once" rests on, and its honest limit: a row is marked `sent` in the same
database transaction that held its lock while the message was handed over. If the worker
dies after the provider (SMTP server, GOV.UK Notify) accepted the message but before that
transaction commits — one UPDATE and a COMMIT, measured at 6–8 ms median and 10–17 ms p99
on PostgreSQL (README, Reminders) — the row is still `sending`, its lease runs out and it is
sent again:
at-least-once in that window, exactly once everywhere else (beat twice, two workers, a
worker killed before or during the send, a broker outage, a queue slower than the lease). No
email or SMS provider offers a transactional hand-over that would close the window; we
prefer a rare duplicate reminder to a lost one.

Privacy: Celery messages carry row ids only. Text is rendered here from times and counts;
what an appointment is about never reaches the templates, and the wording is neutral
(tests/reminders/test_wording.py renders every template against a deny-list).
"""

import hashlib
import json
import logging
import smtplib
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from coproduction.encryption import CannotOpen
from coproduction.models import Notification, Project, PublishedVersion, Role
from coproduction.notifications.digest import digest_lines

logger = logging.getLogger(__name__)

TEMPLATES = [
    "appointment-reminder",
    "appointment-moved",
    "appointment-cancelled",
    "notes-overdue",
    "notes-overdue-coordinator",
    "coordinator-alert",
    "daily-digest",
    "follow-up-update",
]
APPOINTMENT_TEMPLATES = {"appointment-reminder", "appointment-moved", "appointment-cancelled"}
# The one notice to people who asked for updates when a version is published
# (coproduction.publication.notices): a link to the public page, no sign-in.
FOLLOW_UP_TEMPLATE = "follow-up-update"
QUIET_FROM = time(21, 0)  # no text messages from 21:00 ...
QUIET_UNTIL = time(8, 0)  # ... until 08:00, in the recipient's time zone
DIGEST_AT = time(8, 0)  # coordinators' daily digest, project time ...
DIGEST_UNTIL = time(12, 0)  # ... or later that morning if beat was down at 08:00
CALENDAR_TITLE = "Appointment"


class TransientError(Exception):
    """The provider may accept the message later (network, 5xx, rate limit)."""


class PermanentError(Exception):
    """Trying again will not help (no address, refused recipient, misconfiguration)."""


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str
    sms: str


# ---------------------------------------------------------------- time: zones, quiet hours


def recipient_time_zone(notification: Notification) -> zoneinfo.ZoneInfo:
    """The recipient's own time zone if they set one, else the project's, else the site's.

    Participants have no setting: they get the project's time zone.
    """
    user = notification.recipient
    if user is not None and user.time_zone:
        return zoneinfo.ZoneInfo(user.time_zone)
    if notification.project_id:
        return notification.project.tzinfo
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def in_quiet_hours(moment: datetime, tz: zoneinfo.ZoneInfo) -> bool:
    local = moment.astimezone(tz).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def next_morning(moment: datetime, tz: zoneinfo.ZoneInfo) -> datetime:
    """The first 08:00 local time after `moment` (wall-clock, so right across a clock change)."""
    local = moment.astimezone(tz)
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_UNTIL, tzinfo=tz)


def day_phrase(moment: datetime, now: datetime, tz: zoneinfo.ZoneInfo) -> str:
    """'today', 'tomorrow' or 'on Tuesday 3 March', in the recipient's time zone."""
    day = moment.astimezone(tz).date()
    today = now.astimezone(tz).date()
    if day == today:
        return "today"
    if day == today + timedelta(days=1):
        return "tomorrow"
    return f"on {day:%A} {day.day} {day:%B}"


# ---------------------------------------------------------------- rendering


def sign_in_url() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("account_login")


def message_context(notification: Notification, now: datetime) -> dict:
    """Everything a template may use: times, counts and the sign-in link. Nothing about what."""
    tz = recipient_time_zone(notification)
    context: dict = {"sign_in_url": sign_in_url()}
    if notification.starts_at:
        context["day"] = day_phrase(notification.starts_at, now, tz)
        context["time"] = notification.starts_at.astimezone(tz).strftime("%H:%M")
    if notification.template == "daily-digest" and notification.project_id:
        lines = digest_lines(notification.project)
        context["lines"] = lines
        context["total"] = sum(line.count for line in lines)
    if notification.template == FOLLOW_UP_TEMPLATE and (version := published_version(notification)) is not None:
        # A notice about a version that no longer exists is cancelled before it is rendered.
        context["update_url"] = public_page_url(version.publication.public_id)
    return context


def published_version(notification: Notification) -> PublishedVersion | None:
    """The version a follow-up notice is about (ids only travel with the row)."""
    if notification.about_type != PublishedVersion._meta.label_lower:
        return None
    return PublishedVersion.objects.select_related("publication").filter(pk=notification.about_id).first()


def public_page_url(public_id: str) -> str:
    """A publication's public page, its latest version (/s/<public id>/): an opaque id that
    names no project and no topic."""
    return settings.SITE_URL.rstrip("/") + reverse("publication_public:latest", kwargs={"public_id": public_id})


def sealed_message(notification: Notification) -> tuple[str, Message]:
    """A one-off email's address and text, as rendered when it was asked for (outbox.send_email)."""
    sealed = json.loads(notification.sealed_message)
    return sealed["to"], Message(subject=sealed["subject"], text=sealed["text"], html=sealed["html"], sms="")


def render_message(template: str, context: dict) -> Message:
    def part(suffix: str) -> str:
        return render_to_string(f"emails/{template}-{suffix}", context)

    return Message(
        subject=" ".join(part("subject.txt").split()),
        text=part("body.txt").strip() + "\n",
        html=part("body.html"),
        sms=" ".join(part("sms.txt").split()),
    )


def calendar_file(notification: Notification) -> bytes:
    """An .ics with the neutral title "Appointment", the times and nothing else."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Common Ground//Reminders//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if notification.template == "appointment-cancelled" else "PUBLISH")
    event = Event()
    # The same UID for every message about one appointment, so calendars update it in place.
    # A hash: the about-object's type and id do not travel in the file.
    uid = hashlib.sha256(f"{notification.about_type}:{notification.about_id}".encode()).hexdigest()[:32]
    event.add("uid", f"{uid}@common-ground")
    event.add("summary", CALENDAR_TITLE)
    event.add("dtstamp", timezone.now())
    # Calendars apply a "moved" or "cancelled" file over an earlier one only if its sequence is higher.
    event.add("sequence", int(timezone.now().timestamp()) // 60)
    event.add("dtstart", notification.starts_at)
    event.add("dtend", notification.ends_at or notification.starts_at + timedelta(hours=1))
    if notification.template == "appointment-cancelled":
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    return calendar.to_ical()


# ---------------------------------------------------------------- channels


def notify_client():
    """The GOV.UK Notify client. The one place tests replace (never call the Internet in tests)."""
    from notifications_python_client.notifications import NotificationsAPIClient

    if not settings.NOTIFY_API_KEY:
        raise PermanentError("NotifyNotConfigured")
    return NotificationsAPIClient(settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=15)


def email_address(notification: Notification) -> str | None:
    if notification.recipient_id:
        return notification.recipient.email
    try:
        if notification.recipient_follow_up_id:
            return notification.recipient_follow_up.email
        return notification.recipient_participant.contact_email
    except CannotOpen as error:
        # Never a guess, never ciphertext as an address: the row fails and is listed.
        raise PermanentError(type(error).__name__) from error


def phone_number(notification: Notification) -> str | None:
    try:
        if notification.recipient_id:
            return notification.recipient.phone_number
        if notification.recipient_follow_up_id:
            return notification.recipient_follow_up.phone
        return notification.recipient_participant.contact_phone
    except CannotOpen as error:
        raise PermanentError(type(error).__name__) from error


def send_email(notification: Notification, message: Message, address: str | None = None) -> None:
    address = address or email_address(notification)
    if not address:
        raise PermanentError("NoAddress")
    email = EmailMultiAlternatives(message.subject, message.text, None, [address])
    if message.html:
        email.attach_alternative(message.html, "text/html")
    if notification.starts_at and notification.template in APPOINTMENT_TEMPLATES:
        email.attach("appointment.ics", calendar_file(notification), "text/calendar")
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentError(type(error).__name__) from error
    except (smtplib.SMTPException, OSError) as error:
        raise TransientError(type(error).__name__) from error


def _notify_call(call, *args, **kwargs) -> None:
    from notifications_python_client.errors import APIError

    try:
        call(*args, **kwargs)
    except APIError as error:
        name = f"{type(error).__name__}{error.status_code}"
        if error.status_code == 429 or error.status_code >= 500:
            raise TransientError(name) from error
        raise PermanentError(name) from error
    except OSError as error:
        raise TransientError(type(error).__name__) from error


def send_notify_email(notification: Notification, message: Message) -> None:
    address = email_address(notification)
    if not address:
        raise PermanentError("NoAddress")
    if not settings.NOTIFY_EMAIL_TEMPLATE_ID:
        raise PermanentError("NotifyNotConfigured")
    client = notify_client()
    personalisation = {"subject": message.subject, "body": message.text}
    _notify_call(
        client.send_email_notification,
        email_address=address,
        template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID,
        personalisation=personalisation,
        reference=f"n{notification.pk}",
    )


def send_sms(notification: Notification, message: Message) -> None:
    number = phone_number(notification)
    if not number:
        raise PermanentError("NoPhoneNumber")
    if not settings.NOTIFY_SMS_TEMPLATE_ID:
        raise PermanentError("NotifyNotConfigured")
    client = notify_client()
    _notify_call(
        client.send_sms_notification,
        phone_number=number,
        template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
        personalisation={"body": message.sms},
        reference=f"n{notification.pk}",
    )


SENDERS = {
    Notification.Channel.EMAIL: send_email,
    Notification.Channel.NOTIFY_EMAIL: send_notify_email,
    Notification.Channel.SMS: send_sms,
}


# ---------------------------------------------------------------- claiming


def _lockable(queryset):
    return queryset.select_for_update(skip_locked=True, of=("self",))


def _needs_queueing(now: datetime) -> Q:
    """Rows beat should hand to the delivery task now (see the module docstring, step 1)."""
    Status = Notification.Status
    due = Q(status=Status.PENDING, due_at__lte=now) & (Q(not_before__isnull=True) | Q(not_before__lte=now))
    # Claimed, but the broker refused the ids: queue them again at the next beat. The grace
    # leaves alone rows that another beat claimed a moment ago and is queueing right now.
    grace = timedelta(seconds=min(settings.NOTIFICATION_CLAIM_SECONDS / 2, 30))
    unqueued = Q(status=Status.SENDING, queued_at__isnull=True, started_at__isnull=True, claimed_at__lt=now - grace)
    # Queued, never started, and its message has expired unread (a lost message): queue again.
    expired = timedelta(seconds=settings.NOTIFICATION_QUEUE_EXPIRES_SECONDS)
    lost = Q(status=Status.SENDING, started_at__isnull=True, queued_at__lt=now - expired)
    # A send started and neither finished nor failed within the lease: the worker died.
    died = Q(status=Status.SENDING, started_at__lt=now - timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS))
    return due | unqueued | lost | died


def claim_due_notifications(now: datetime | None = None, *, queue: bool = True) -> list[int]:
    """Claim due rows (and claimed rows that need queueing again); queue their ids after commit.

    Returns the ids claimed. Safe to run in several processes at once. With queue=False the
    caller delivers the ids itself (the management command). Claiming counts no attempt: an
    attempt is counted when a worker starts sending (`deliver_notification`).
    """
    now = now or timezone.now()
    condition = _needs_queueing(now)
    claimed: list[int] = []
    with transaction.atomic():
        rows = list(
            _lockable(Notification.objects.filter(condition))
            .select_related("recipient", "project")
            .order_by("due_at", "pk")[: settings.NOTIFICATION_BATCH_SIZE]
        )
        for row in rows:
            if (
                row.status == Notification.Status.SENDING
                and row.started_at
                and row.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
            ):
                _fail(row, now, "LeaseExpired")  # every attempt started and none finished
            elif row.channel == Notification.Channel.SMS and in_quiet_hours(now, tz := recipient_time_zone(row)):
                row.status = Notification.Status.PENDING
                row.not_before = next_morning(now, tz)
                row.save(update_fields=["status", "not_before"])
            else:
                claimed.append(row.pk)
        if not claimed:
            return claimed
        # The condition again: without row locks (SQLite) a row sent meanwhile is left alone.
        Notification.objects.filter(condition, pk__in=claimed).update(
            status=Notification.Status.SENDING,
            claimed_at=now,
            # Delivered in this process: it is as good as queued.
            queued_at=None if queue else now,
            started_at=None,
            not_before=None,
        )
        if queue:
            transaction.on_commit(lambda: queue_deliveries(claimed))
    return claimed


def claim_all_due(max_batches: int = 10) -> int:
    """Claim batch after batch while batches come back full (a backlog after an outage)."""
    claimed = 0
    for _ in range(max_batches):
        batch = claim_due_notifications()
        claimed += len(batch)
        if len(batch) < settings.NOTIFICATION_BATCH_SIZE:
            break
    return claimed


def queue_deliveries(ids: list[int]) -> int:
    """Hand ids to the delivery task and note which were queued; stop at the first broker error.

    Each message expires after NOTIFICATION_QUEUE_EXPIRES_SECONDS: a worker that receives it
    later drops it, so beat may queue the row again then without two live messages for it.
    Rows left unqueued are queued again by the next beat.
    """
    from coproduction.notifications.tasks import deliver_notification_task

    queued: list[int] = []
    for pk in ids:
        try:
            deliver_notification_task.apply_async((pk,), expires=settings.NOTIFICATION_QUEUE_EXPIRES_SECONDS)
        except Exception as error:  # the broker is down: the next beat queues the rest again
            logger.warning(
                "notification queue unavailable (%s); %d ids wait for the next beat", type(error).__name__, len(ids) - len(queued)
            )
            break
        queued.append(pk)
    if queued:
        Notification.objects.filter(pk__in=queued, queued_at__isnull=True).update(queued_at=timezone.now())
    return len(queued)


def queue_now(ids: list[int]) -> int:
    """Claim these rows at once and queue them: a message someone is waiting for (an
    invitation, a password reset) need not wait for beat. Runs after the caller's commit; if
    the broker is down the rows stay claimed and the next beat queues them again."""
    with transaction.atomic():
        claimed = list(_lockable(Notification.objects.due().filter(pk__in=ids)).values_list("pk", flat=True))
        if not claimed:
            return 0
        Notification.objects.filter(pk__in=claimed).update(
            status=Notification.Status.SENDING, claimed_at=timezone.now(), queued_at=None, started_at=None
        )
    return queue_deliveries(claimed)


# ---------------------------------------------------------------- delivering


def _lock_for_delivery(pk: int, started: Q, *, wait: bool = False) -> Notification | None:
    """Lock the row while it is sent; None if it is not ours to send (any more).

    Starting an attempt skips a row another worker holds (that worker is starting or sending
    it). Once the attempt is ours (`wait`), the lock is waited for: a duplicate message only
    holds it for a moment to find the attempt taken, and skipping then would leave the row to
    nobody until its lease ran out."""
    candidates = Notification.objects.filter(started, pk=pk, status=Notification.Status.SENDING)
    related = ("recipient", "recipient_participant", "recipient_follow_up__participant", "project")
    if connection.features.has_select_for_update_skip_locked:
        locked = candidates.select_for_update(of=("self",)) if wait else _lockable(candidates)
        return locked.select_related(*related).first()
    # SQLite has no row locks: a write first takes the database's write lock, so a second
    # delivery of the same row waits for this transaction and then finds the row sent.
    if not candidates.update(claimed_at=F("claimed_at")):
        return None
    return candidates.select_related(*related).first()


def start_attempt(pk: int, now: datetime) -> datetime | None:
    """Count a send attempt, committed before the send (so a worker killed while sending still
    used one). Returns the attempt's start, or None when the row is not to be started: sent,
    cancelled, or started by another worker whose lease has not run out (a duplicate message).
    """
    lease = timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)
    startable = Q(started_at__isnull=True) | Q(started_at__lt=now - lease)
    with transaction.atomic():
        row = _lock_for_delivery(pk, startable)
        if row is None:
            return None
        Notification.objects.filter(pk=pk).update(started_at=now, attempts=F("attempts") + 1)
    return now


def _fail(row: Notification, now: datetime, error: str) -> None:
    row.status = Notification.Status.FAILED
    row.failed_at = now
    row.last_error = error[:200]
    row.sealed_message = None  # a secret link must not outlive its message
    row.save(update_fields=["status", "failed_at", "last_error", "sealed_message"])
    logger.warning("notification %s failed: %s", row.pk, row.last_error)


def _cancel(row: Notification, reason: str) -> None:
    row.status = Notification.Status.CANCELLED
    row.last_error = reason
    row.sealed_message = None
    row.save(update_fields=["status", "last_error", "sealed_message"])


def _reason_not_to_send(row: Notification, now: datetime) -> str | None:
    """Checked on the locked row: the world may have changed since the reminder was scheduled."""
    if row.recipient_id and not row.recipient.is_active:
        return "RecipientInactive"
    if row.recipient_participant_id:
        participant = row.recipient_participant
        if participant.withdrawn_at or not participant.wants_reminders:
            return "ParticipantOptedOut"
    if row.recipient_follow_up_id:
        reason = _reason_not_to_send_follow_up(row)
        if reason:
            return reason
    if row.template == "appointment-reminder" and row.starts_at and row.starts_at <= now:
        return "AppointmentPassed"  # delayed past the appointment (a long outage): say nothing
    return None


def _reason_not_to_send_follow_up(row: Notification) -> str | None:
    """A follow-up notice goes only to details still kept, of a person who still consents to
    follow-up, about a version still published."""
    contact = row.recipient_follow_up
    if contact.erased_at is not None:
        return "FollowUpContactErased"
    participant = contact.participant
    if participant is not None:
        if participant.withdrawn_at:
            return "ParticipantOptedOut"
        consent = participant.current_consent
        if consent is None or not consent.is_current or not consent.follow_up:
            return "FollowUpNotAllowed"
    version = published_version(row)
    if version is None or not version.is_live:
        return "VersionUnpublished"
    return None


def deliver_notification(pk: int, now: datetime | None = None) -> bool:
    """Send one claimed row; return whether a message went out. See the module docstring."""
    now = now or timezone.now()
    started_at = start_attempt(pk, now)
    if started_at is None:
        return False
    with transaction.atomic():
        row = _lock_for_delivery(pk, Q(started_at=started_at), wait=True)
        if row is None:
            return False
        reason = _reason_not_to_send(row, now)
        if reason:
            _cancel(row, reason)
            return False
        try:
            sealed = row.sealed_message
        except CannotOpen:
            # No key opens the one-off email: fail it (which erases it), never send ciphertext.
            _fail(row, now, CannotOpen.__name__)
            return False
        if sealed:
            address, message = sealed_message(row)
            send = partial(send_email, address=address)
        else:
            context = message_context(row, now)
            if row.template == "daily-digest" and not context.get("total"):
                _cancel(row, "NothingToSay")
                return False
            message, send = None, SENDERS[row.channel]
        try:
            if message is None:  # a reminder: rendered now, from times and counts
                message = render_message(row.template, context)
            send(row, message)
        except TransientError as error:
            if row.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                _fail(row, now, str(error))
            else:
                row.status = Notification.Status.PENDING
                row.not_before = now + timedelta(seconds=settings.NOTIFICATION_RETRY_SECONDS * 2 ** (row.attempts - 1))
                row.last_error = str(error)[:200]
                row.save(update_fields=["status", "not_before", "last_error"])
            return False
        except PermanentError as error:
            _fail(row, now, str(error))
            return False
        except Exception as error:  # a template or a provider we did not foresee: never loop on it
            _fail(row, now, type(error).__name__)
            return False
        row.status = Notification.Status.SENT
        row.sent_at = timezone.now()
        row.last_error = ""
        row.sealed_message = None
        row.save(update_fields=["status", "sent_at", "last_error", "sealed_message"])
    logger.info("notification %s sent by %s", row.pk, row.channel)
    return True


# ---------------------------------------------------------------- the daily digest


def queue_daily_digests(now: datetime | None = None) -> int:
    """Queue today's digest for each project whose local time is 08:00–12:00 and that has news.

    Runs every minute; the idempotency key (project, local date) makes it once per local day.
    Until noon it catches up after an outage; news that arrives later waits for tomorrow.
    The row carries no content: the lines are counted again when it is delivered.
    """
    from coproduction.notifications.outbox import immediate_key_prefix, notify_now

    now = now or timezone.now()
    created = 0
    for project in Project.objects.all():
        local = now.astimezone(project.tzinfo)
        if not DIGEST_AT <= local.time() < DIGEST_UNTIL:
            continue
        key = f"digest-{local:%Y-%m-%d}"
        already = Notification.objects.filter(idempotency_key__startswith=immediate_key_prefix(project, key))
        if already.exists() or not digest_lines(project):
            continue
        coordinators = project.members_with_role(Role.COORDINATOR)
        created += len(notify_now(template="daily-digest", about=project, key=key, project=project, users=coordinators))
    return created
