"""Delivering the notification outbox: claim due rows, then send each one exactly once.

How a row travels (statuses of coproduction.models.Notification):

1. `claim_due_notifications` (beat, every minute) locks due pending rows with
   `select_for_update(skip_locked=True)`, so two copies of it running at once claim disjoint
   rows. Each claimed row becomes `sending` with a lease (`claimed_at`) and one more attempt;
   its id is queued to `deliver_notification` after the claim commits. A text message due in
   the recipient's quiet hours is not claimed: it is held back (`not_before`) until 08:00.
   The same run also re-claims `sending` rows whose lease ran out: the worker died, or the
   broker was down when the ids were queued. Nothing is lost while the database keeps the row.
2. `deliver_notification(id)` re-reads the row and locks it for the whole send. It sends only
   if the row is still `sending` (not cancelled, not already sent by another worker), and
   marks it `sent` in the same transaction. A second delivery of the same id (beat twice, a
   re-queued lease, a redelivered message) either skips the locked row or finds it `sent`.
   A transient failure puts the row back to `pending` with an exponential backoff; after the
   last attempt, or on a permanent failure, the row is `failed` and shows on the
   coordinators' page. Errors are recorded by class name only, never content.

What "exactly once" rests on, and its honest limit: a row is marked `sent` in the same
database transaction that held its lock while the message was handed over. If the worker
dies after the provider (SMTP server, GOV.UK Notify) accepted the message but before that
transaction commits — a window of one round trip to the database — the row is still
`sending`, its lease runs out and it is sent again: at-least-once in that window, exactly
once everywhere else (beat twice, two workers, a worker killed before or during the send,
a broker outage). No email or SMS provider offers a transactional hand-over that would close
the window; we prefer a rare duplicate reminder to a lost one.

Privacy: Celery messages carry row ids only. Text is rendered here from times and counts;
what an appointment is about never reaches the templates, and the wording is neutral
(tests/reminders/test_wording.py renders every template against a deny-list).
"""

import hashlib
import logging
import smtplib
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from coproduction.digest import digest_lines
from coproduction.encryption import CannotOpen
from coproduction.models import Notification, Project, Role

logger = logging.getLogger(__name__)

TEMPLATES = [
    "appointment-reminder",
    "appointment-moved",
    "appointment-cancelled",
    "notes-overdue",
    "notes-overdue-coordinator",
    "coordinator-alert",
    "daily-digest",
]
APPOINTMENT_TEMPLATES = {"appointment-reminder", "appointment-moved", "appointment-cancelled"}
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
    return context


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
        return notification.recipient_participant.contact_email
    except CannotOpen as error:
        # Never a guess, never ciphertext as an address: the row fails and is listed.
        raise PermanentError(type(error).__name__) from error


def phone_number(notification: Notification) -> str | None:
    try:
        if notification.recipient_id:
            return notification.recipient.phone_number
        return notification.recipient_participant.contact_phone
    except CannotOpen as error:
        raise PermanentError(type(error).__name__) from error


def send_email(notification: Notification, message: Message) -> None:
    address = email_address(notification)
    if not address:
        raise PermanentError("NoAddress")
    email = EmailMultiAlternatives(message.subject, message.text, None, [address])
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


def claim_due_notifications(now: datetime | None = None, *, queue: bool = True) -> list[int]:
    """Claim due rows (and rows whose lease ran out); queue their ids after commit.

    Returns the ids claimed. Safe to run in several processes at once. With queue=False the
    caller delivers the ids itself (the management command).
    """
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)
    due = Q(status=Notification.Status.PENDING, due_at__lte=now) & (Q(not_before__isnull=True) | Q(not_before__lte=now))
    stale = Q(status=Notification.Status.SENDING, claimed_at__lt=stale_before)
    claimed: list[int] = []
    with transaction.atomic():
        rows = list(
            _lockable(Notification.objects.filter(due | stale))
            .select_related("recipient", "project")
            .order_by("due_at", "pk")[: settings.NOTIFICATION_BATCH_SIZE]
        )
        for row in rows:
            if row.status == Notification.Status.SENDING and row.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                _fail(row, now, "LeaseExpired")
            elif row.channel == Notification.Channel.SMS and in_quiet_hours(now, tz := recipient_time_zone(row)):
                row.status = Notification.Status.PENDING
                row.not_before = next_morning(now, tz)
                row.save(update_fields=["status", "not_before"])
            else:
                claimed.append(row.pk)
        if not claimed:
            return claimed
        # The condition again: without row locks (SQLite) a row sent meanwhile is left alone.
        Notification.objects.filter(due | stale, pk__in=claimed).update(
            status=Notification.Status.SENDING, claimed_at=now, not_before=None, attempts=F("attempts") + 1
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
    """Hand ids to the delivery task; stop at the first broker error (the lease recovers the rest)."""
    from coproduction.tasks import deliver_notification_task

    queued = 0
    for pk in ids:
        try:
            deliver_notification_task.delay(pk)
        except Exception as error:  # the broker is down: the rows wait for their lease to run out
            waiting = len(ids) - queued
            logger.warning("notification queue unavailable (%s); %d ids wait for their lease", type(error).__name__, waiting)
            break
        queued += 1
    return queued


# ---------------------------------------------------------------- delivering


def _lock_for_delivery(pk: int) -> Notification | None:
    """Lock the row while it is sent; None if it is not ours to send (any more)."""
    candidates = Notification.objects.filter(pk=pk, status=Notification.Status.SENDING)
    related = ("recipient", "recipient_participant", "project")
    if connection.features.has_select_for_update_skip_locked:
        return _lockable(candidates).select_related(*related).first()
    # SQLite has no row locks: a write first takes the database's write lock, so a second
    # delivery of the same row waits for this transaction and then finds the row sent.
    if not candidates.update(claimed_at=F("claimed_at")):
        return None
    return candidates.select_related(*related).first()


def _fail(row: Notification, now: datetime, error: str) -> None:
    row.status = Notification.Status.FAILED
    row.failed_at = now
    row.last_error = error[:200]
    row.save(update_fields=["status", "failed_at", "last_error"])
    logger.warning("notification %s failed: %s", row.pk, row.last_error)


def _cancel(row: Notification, reason: str) -> None:
    row.status = Notification.Status.CANCELLED
    row.last_error = reason
    row.save(update_fields=["status", "last_error"])


def _reason_not_to_send(row: Notification, now: datetime) -> str | None:
    """Checked on the locked row: the world may have changed since the reminder was scheduled."""
    if row.recipient_id and not row.recipient.is_active:
        return "RecipientInactive"
    if row.recipient_participant_id:
        participant = row.recipient_participant
        if participant.withdrawn_at or not participant.wants_reminders:
            return "ParticipantOptedOut"
    if row.template == "appointment-reminder" and row.starts_at and row.starts_at <= now:
        return "AppointmentPassed"  # delayed past the appointment (a long outage): say nothing
    return None


def deliver_notification(pk: int, now: datetime | None = None) -> bool:
    """Send one claimed row; return whether a message went out. See the module docstring."""
    with transaction.atomic():
        row = _lock_for_delivery(pk)
        if row is None:
            return False
        now = now or timezone.now()
        reason = _reason_not_to_send(row, now)
        if reason:
            _cancel(row, reason)
            return False
        context = message_context(row, now)
        if row.template == "daily-digest" and not context.get("total"):
            _cancel(row, "NothingToSay")
            return False
        try:
            message = render_message(row.template, context)
            SENDERS[row.channel](row, message)
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
        row.save(update_fields=["status", "sent_at", "last_error"])
    logger.info("notification %s sent by %s", row.pk, row.channel)
    return True


# ---------------------------------------------------------------- the daily digest


def queue_daily_digests(now: datetime | None = None) -> int:
    """Queue today's digest for each project whose local time is 08:00–12:00 and that has news.

    Runs every minute; the idempotency key (project, local date) makes it once per local day.
    Until noon it catches up after an outage; news that arrives later waits for tomorrow.
    The row carries no content: the lines are counted again when it is delivered.
    """
    from coproduction.outbox import immediate_key_prefix, notify_now

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
