import hashlib
import secrets
import uuid
import zoneinfo
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import slugify

from coproduction.fields import EncryptedCharField

INVITATION_LIFETIME = timedelta(days=7)


def default_cohorts() -> list[str]:
    return ["Sex worker", "Resident", "Faith leader"]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value} is not a time zone name such as Europe/London.")


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Coordinator"
    PEER_RESEARCHER = "peer_researcher", "Peer researcher"
    ANALYST = "analyst", "Analyst"
    SUPERVISOR = "supervisor", "Supervisor"


class EmailUserManager(UserManager):
    def _create_user(self, username, email, password, **extra_fields):
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(None, email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(None, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in. Signs in by email; there is no username."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=100, help_text="How colleagues see you.")
    # A coder's REFI-QDA identity in internal exports (publication exports name no user).
    # Made once, at random, for REFI-QDA exchange: the same in every export, never shared with
    # another row, project or installation (not derived from the id).
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # How the person is reminded: channel names from Notification.Channel's user-facing choices
    # ("email", "sms"). Empty means email only. The phone number is stored encrypted, in E.164.
    reminder_channels = models.JSONField(default=list, blank=True)
    phone_number = EncryptedCharField(max_length=32, blank=True, null=True)
    # For quiet hours and the wording of times; blank means the project's time zone.
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = EmailUserManager()

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return str(self)

    def get_short_name(self) -> str:
        return str(self)

    def notification_channels(self) -> list[str]:
        """The outbox channels this person's reminders go through (used by outbox.channels_for).

        Email goes through GOV.UK Notify when it is configured for email, otherwise through
        Django's email backend (which can attach a calendar file). A text message needs a phone
        number and Notify configured for SMS; without them the choice is ignored, not failed.
        """
        from django.conf import settings

        from coproduction.models.notifications import Notification

        chosen = set(self.reminder_channels or ["email"])
        channels = []
        if "email" in chosen:
            notify_email = settings.NOTIFY_API_KEY and settings.NOTIFY_EMAIL_TEMPLATE_ID
            channels.append(Notification.Channel.NOTIFY_EMAIL if notify_email else Notification.Channel.EMAIL)
        if "sms" in chosen and self.phone_number and settings.NOTIFY_API_KEY and settings.NOTIFY_SMS_TEMPLATE_ID:
            channels.append(Notification.Channel.SMS)
        return channels or [Notification.Channel.EMAIL]

    @property
    def has_totp(self) -> bool:
        from allauth.mfa.models import Authenticator

        return Authenticator.objects.filter(user=self, type=Authenticator.Type.TOTP).exists()


class ProjectQuerySet(models.QuerySet):
    def for_user(self, user) -> "ProjectQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user).distinct()


class Project(models.Model):
    """A strategy being co-produced, e.g. a borough's sex-work strategy."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    # Made once, at random, for REFI-QDA exchange: the same in every export, never shared with
    # another row, project or installation (not derived from the id).
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    time_zone = models.CharField(max_length=64, default="Europe/London", validators=[validate_time_zone])
    cohorts = models.JSONField(default=default_cohorts, help_text="Cohort names, e.g. Sex worker, Resident.")
    small_number_threshold = models.PositiveSmallIntegerField(
        default=10, help_text="Counts under this are shown as '<N' in published outputs."
    )
    follow_up_ends_on = models.DateField(
        "follow-up ends on",
        null=True,
        blank=True,
        help_text="Contact details kept for updates are erased on this date (after any notice still being sent).",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:60]
        super().save(*args, **kwargs)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def members_with_role(self, role: str):
        return User.objects.filter(memberships__project=self, memberships__role=role, is_active=True)

    @property
    def coordinators(self):
        return self.members_with_role(Role.COORDINATOR)


class Membership(models.Model):
    """A person's role in one project. One person may hold different roles in different projects."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "project"], name="one_role_per_project")]
        ordering = ["project", "role", "user__display_name"]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} in {self.project}"

    @property
    def needs_mfa(self) -> bool:
        from django.conf import settings

        return self.role in settings.MFA_REQUIRED_ROLES


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def usable(self, now: datetime | None = None) -> "InvitationQuerySet":
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class Invitation(models.Model):
    """A single-use invitation into a project and role, valid for seven days.

    Only a hash of the token is stored, so a database reader cannot accept an invitation.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Empty: operations staff."
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation to {self.email} ({self.status})"

    @classmethod
    def issue(cls, *, project: Project, email: str, role: str, invited_by: User | None) -> tuple["Invitation", str]:
        """Create an invitation; return it with the clear token (shown once, in the email)."""
        token = secrets.token_urlsafe(32)
        now = timezone.now()
        invitation = cls.objects.create(
            project=project,
            email=email.lower(),
            role=role,
            token_hash=hash_token(token),
            invited_by=invited_by,
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
        return invitation, token

    def reissue(self, *, role: str, invited_by: User | None) -> str:
        """Send again: a new token and seven more days for the same invitation (the old link
        stops working); return the clear token."""
        token = secrets.token_urlsafe(32)
        self.role = role
        self.invited_by = invited_by
        self.token_hash = hash_token(token)
        self.expires_at = timezone.now() + INVITATION_LIFETIME
        self.save(update_fields=["role", "invited_by", "token_hash", "expires_at"])
        return token

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"
