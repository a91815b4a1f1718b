from django.conf import settings
from django.db import models
from django.utils import timezone

from coproduction.fields import EncryptedTextField


class NotificationQuerySet(models.QuerySet):
    def pending(self) -> "NotificationQuerySet":
        return self.filter(status=Notification.Status.PENDING)

    def due(self, now=None) -> "NotificationQuerySet":
        """Pending rows whose time has come and that are not held back (backoff, quiet hours)."""
        now = now or timezone.now()
        return self.pending().filter(due_at__lte=now).filter(models.Q(not_before__isnull=True) | models.Q(not_before__lte=now))

    def about(self, obj) -> "NotificationQuerySet":
        return self.filter(about_type=obj._meta.label_lower, about_id=str(obj.pk))

    def undelivered_for(self, project) -> "NotificationQuerySet":
        """Failed messages a project's coordinators see: the project's own, and account emails
        (password reset, verification: no project) to the project's members."""
        members = models.Q(project__isnull=True, recipient__memberships__project=project)
        return self.filter(models.Q(project=project) | members, status=Notification.Status.FAILED).distinct()


class Notification(models.Model):
    """One message to one recipient, due at a time. Rows, not queued messages.

    The Celery beat task claims due rows and the delivery task re-reads each row, sending only
    while it is still pending, so a broker outage delays reminders but loses and doubles none.
    A reminder's row holds ids and a template name only: the text is rendered at delivery
    time. A one-off email carries its rendered text encrypted (`sealed_message`).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        NOTIFY_EMAIL = "notify_email", "Email (GOV.UK Notify)"
        SMS = "sms", "Text message (GOV.UK Notify)"

    project = models.ForeignKey("coproduction.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    recipient_participant = models.ForeignKey(
        "coproduction.Participant", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    # A follow-up notice goes to contact details kept for updates, not to the participant's
    # reminder details (those are erased after the interview); a resident may have no
    # participant at all.
    recipient_follow_up = models.ForeignKey(
        "coproduction.FollowUpContact", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    template = models.CharField(max_length=64)
    due_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    idempotency_key = models.CharField(max_length=200, unique=True)
    about_type = models.CharField(max_length=64, blank=True)
    about_id = models.CharField(max_length=64, blank=True)
    # For appointments: when it starts and ends, for the text ("tomorrow at 10:00") and the
    # calendar attachment. Times only; what the appointment is never reaches the outbox.
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Delivery state of a `sending` row (coproduction.notifications.delivery): claimed by beat,
    # its id handed to the broker, a worker started the send (the attempt is counted then).
    claimed_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Held back until then: the next try after a transient failure, or morning for a text
    # message that fell due in the recipient's quiet hours. due_at keeps the intended time.
    not_before = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True, help_text="Error class only, never content.")
    # One-off emails (an invitation, a password reset) are rendered when asked for and may hold
    # a secret link: the rendered message waits here encrypted and is erased once the row is
    # sent, failed or cancelled. Reminders leave it empty (rendered at delivery from ids).
    sealed_message = EncryptedTextField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        indexes = [models.Index(fields=["status", "due_at"]), models.Index(fields=["about_type", "about_id"])]

    def __str__(self) -> str:
        recipient = self.recipient_id or self.recipient_participant_id or self.recipient_follow_up_id
        return f"{self.template} to #{recipient} at {self.due_at:%Y-%m-%d %H:%M}"
