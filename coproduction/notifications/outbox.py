"""The notification outbox: the one small API every app uses to schedule messages.

Each app describes the reminders an object should have *now* (`sync_reminders`); the outbox
creates the missing rows, cancels pending rows that are no longer wanted (a rescheduled or
cancelled appointment) and leaves sent rows alone. Idempotency keys include the due time, so
running the same sync twice creates nothing new and a reminder is never doubled.

Reminder rows carry ids and a template name; text is rendered at delivery time
(coproduction.notifications.delivery). One-off emails (`send_email`: invitations, allauth's
account emails) are rendered by the caller and carried encrypted.
"""

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from coproduction.models import Notification, Participant, Project, User


@dataclass(frozen=True)
class Reminder:
    """A message one recipient (a user, or a participant who asked for reminders) should get."""

    template: str
    due_at: datetime
    slot: str  # what the reminder is, e.g. "24h-before"; part of the idempotency key
    user: User | None = None
    participant: Participant | None = None
    starts_at: datetime | None = None  # for appointments: the text and the .ics use these
    ends_at: datetime | None = None

    @property
    def recipient_tag(self) -> str:
        return f"u{self.user.pk}" if self.user is not None else f"p{self.participant.pk}"


def about_label(obj: models.Model) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


# Idempotency keys of messages sent at once (notify_now) start with this; reminders' never do.
IMMEDIATE = "now:"


def immediate_key_prefix(about: models.Model, key: str) -> str:
    """The start of every notify_now key for (`about`, `key`), whoever the recipient."""
    label, pk = about_label(about)
    return f"{IMMEDIATE}{label}:{pk}:{key}:"


def channels_for(reminder: Reminder) -> list[str]:
    """The channels a recipient chose; email when they chose nothing."""
    if reminder.user is not None:
        chosen = getattr(reminder.user, "notification_channels", None)
        if callable(chosen):
            return chosen() or [Notification.Channel.EMAIL]
        return [Notification.Channel.EMAIL]
    # Participants have no settings page: the contact details they gave are their choice.
    # Text messages only when GOV.UK Notify is configured for them.
    participant = reminder.participant
    channels = []
    if participant.contact_email:
        notify_email = settings.NOTIFY_API_KEY and settings.NOTIFY_EMAIL_TEMPLATE_ID
        channels.append(Notification.Channel.NOTIFY_EMAIL if notify_email else Notification.Channel.EMAIL)
    if participant.contact_phone and settings.NOTIFY_API_KEY and settings.NOTIFY_SMS_TEMPLATE_ID:
        channels.append(Notification.Channel.SMS)
    return channels


def _key(about: models.Model, reminder: Reminder, channel: str) -> str:
    label, pk = about_label(about)
    return f"{label}:{pk}:{reminder.slot}:{reminder.recipient_tag}:{channel}:{reminder.due_at:%Y%m%dT%H%M%S}"


def _create_row(project: Project | None, reminder: Reminder, channel: str, key: str, about: models.Model) -> Notification:
    label, pk = about_label(about)
    return Notification.objects.create(
        project=project,
        recipient=reminder.user,
        recipient_participant=reminder.participant,
        channel=channel,
        template=reminder.template,
        due_at=reminder.due_at,
        starts_at=reminder.starts_at,
        ends_at=reminder.ends_at,
        idempotency_key=key,
        about_type=label,
        about_id=pk,
    )


@transaction.atomic
def sync_reminders(about: models.Model, project: Project | None, reminders: Iterable[Reminder]) -> list[Notification]:
    """Make the pending reminders for `about` exactly `reminders`; return the rows created.

    Reminders already due in the past are skipped (a booking made an hour ahead gets no
    "24 hours before" message).
    """
    now = timezone.now()
    label, pk = about_label(about)
    wanted: dict[str, tuple[Reminder, str]] = {}
    for reminder in reminders:
        if reminder.due_at <= now:
            continue
        for channel in channels_for(reminder):
            wanted[_key(about, reminder, channel)] = (reminder, channel)
    pending = Notification.objects.pending().filter(about_type=label, about_id=pk).select_for_update()
    # Messages sent "now" (moved, cancelled, alerts) are not reminders: a later sync must not
    # cancel a cancellation notice before it goes out.
    pending = pending.exclude(idempotency_key__startswith=IMMEDIATE)
    pending.exclude(idempotency_key__in=list(wanted)).update(status=Notification.Status.CANCELLED)
    existing = set(Notification.objects.filter(idempotency_key__in=list(wanted)).values_list("idempotency_key", flat=True))
    created = []
    for key, (reminder, channel) in wanted.items():
        if key in existing:
            continue
        created.append(_create_row(project, reminder, channel, key, about))
    return created


def cancel_reminders(about: models.Model) -> int:
    """Cancel every reminder about `about` not yet sent; return how many. Messages sent "now"
    (notify_now: moved, cancelled, alerts) are left to go out.

    Rows already claimed (`sending`) are cancelled too: delivery re-reads the row under a lock
    and sends only while it is still `sending`. A row being sent at this very moment keeps its
    lock until it is marked sent, and this update then leaves it alone.
    """
    label, pk = about_label(about)
    unsent = Notification.objects.filter(status__in=[Notification.Status.PENDING, Notification.Status.SENDING])
    reminders = unsent.filter(about_type=label, about_id=pk).exclude(idempotency_key__startswith=IMMEDIATE)
    return reminders.update(status=Notification.Status.CANCELLED)


def notify_now(
    *,
    template: str,
    about: models.Model,
    key: str,
    project: Project | None,
    users: Iterable[User] = (),
    participants: Iterable[Participant] = (),
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> list[Notification]:
    """Send a message now to each recipient (an alert, a cancellation). `key` makes it once-only.

    `starts_at`/`ends_at` give the appointment's times for "moved" and "cancelled" messages.
    """
    now = timezone.now()
    times = {"starts_at": starts_at, "ends_at": ends_at}
    reminders = [Reminder(template, now, key, user=u, **times) for u in users]
    reminders += [Reminder(template, now, key, participant=p, **times) for p in participants]
    created = []
    for reminder in reminders:
        for channel in channels_for(reminder):
            idempotency_key = f"{immediate_key_prefix(about, key)}{reminder.recipient_tag}:{channel}"
            try:
                with transaction.atomic():
                    created.append(_create_row(project, reminder, channel, idempotency_key, about))
            except IntegrityError:
                continue  # already queued: once only
    return created


# Idempotency keys of one-off emails (send_email) start with this: each call is its own message.
ONE_OFF = "mail:"


def send_email(
    *,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    template: str,
    about: models.Model | None = None,
    project: Project | None = None,
    recipient: User | None = None,
) -> Notification:
    """Send an email that is not a reminder (an invitation, a password reset) through the outbox.

    The request never waits on SMTP: the row is saved in the caller's transaction and handed
    to a worker right after commit, with the reminders' retries, failures and "Undelivered
    messages" page. The message may hold a secret link: it is stored encrypted and erased
    once the row is sent, failed or cancelled. `template` names the message on that page.
    """
    from coproduction.notifications.delivery import queue_now

    label, pk = about_label(about) if about is not None else ("", "")
    sealed = json.dumps({"to": to, "subject": subject, "text": text, "html": html})
    row = Notification.objects.create(
        project=project,
        recipient=recipient,
        channel=Notification.Channel.EMAIL,
        template=template[:64],
        due_at=timezone.now(),
        idempotency_key=f"{ONE_OFF}{uuid.uuid4().hex}",
        about_type=label,
        about_id=pk,
        sealed_message=sealed,
    )
    transaction.on_commit(lambda: queue_now([row.pk]))
    return row


def cancel_emails(about: models.Model) -> int:
    """Cancel one-off emails about `about` not yet sent (an invitation sent again); return how many."""
    label, pk = about_label(about)
    unsent = Notification.objects.filter(status__in=[Notification.Status.PENDING, Notification.Status.SENDING])
    rows = unsent.filter(about_type=label, about_id=pk, idempotency_key__startswith=ONE_OFF)
    return rows.update(status=Notification.Status.CANCELLED, sealed_message=None)
