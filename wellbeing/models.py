"""Support for peer researchers: sessions, check-ins, supervision cadence, reflections, training.

Confidentiality is built into the shape of the data:
- there is no field for what is said in psychotherapy, anywhere: a session holds logistics only;
- reflective-supervision notes (written by the supervisor), check-in notes and private
  reflections are encrypted at rest and readable only through the scoped querysets below;
- coordinators see bookings, attendance and "asked for support", never scores or notes.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from coproduction.fields import EncryptedTextField
from coproduction.models import Project, Role
from coproduction.prepared import PreparedQuery


class Provider(models.Model):
    """A supervisor, psychotherapist or trainer, held once per installation."""

    class Kind(models.TextChoices):
        SUPERVISOR = "supervisor", "Supervisor"
        PSYCHOTHERAPIST = "psychotherapist", "Psychotherapist"
        TRAINER = "trainer", "Trainer"

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    contact = models.CharField(max_length=200, blank=True, help_text="A work email or phone number.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="provider_profiles",
        help_text="Their account, if they sign in to confirm attendance and write supervision notes.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display().lower()})"


class TrainingModule(models.Model):
    """A training module, e.g. safeguarding or the distress protocol; held per installation."""

    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TrainingCompletion(models.Model):
    """That a person completed a module, and when. One record per person and module."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_completions")
    module = models.ForeignKey(TrainingModule, on_delete=models.CASCADE, related_name="completions")
    completed_on = models.DateField()
    # The project that recorded it, whose claims may pay for it (modules are per installation,
    # so without it one training would be claimable in every project the person is in).
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["module__name"]
        constraints = [models.UniqueConstraint(fields=["user", "module"], name="one_completion_per_module")]

    def __str__(self) -> str:
        return f"{self.module} completed {self.completed_on:%Y-%m-%d}"


class SupportPolicy(models.Model):
    """A project's promise to its peer researchers: how often supervision, when to alert."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="support_policy")
    supervision_every_days = models.PositiveSmallIntegerField(
        "Supervision at least every (days)", default=14, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    supervision_after_interviews = models.PositiveSmallIntegerField(
        "Supervision after this many completed interviews", default=3, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    check_in_alert_threshold = models.PositiveSmallIntegerField(
        "Alert coordinators when a check-in score is at or under",
        default=3,
        validators=[MaxValueValidator(10)],
        help_text="Scores run from 0 (very bad) to 10 (very good).",
    )
    required_modules = models.ManyToManyField(
        TrainingModule, blank=True, related_name="+", help_text="Peer researchers need these before they can be given interviews."
    )

    class Meta:
        verbose_name_plural = "support policies"

    def __str__(self) -> str:
        return f"Support policy of {self.project}"

    @classmethod
    def for_project(cls, project: Project) -> "SupportPolicy":
        """The project's policy, created with the defaults when it has none (for writes)."""
        policy, _ = cls.objects.get_or_create(project=project)
        return policy

    @classmethod
    def current(cls, project: Project) -> "SupportPolicy":
        """The project's policy, or the unsaved defaults: pages that only read it write nothing."""
        found = _policy_of(project_id=project.pk)
        return found[0] if found else cls(project=project)


# Read on every coordinator's dashboard: compiled once (coproduction.prepared).
_policy_of = PreparedQuery(lambda project_id: SupportPolicy.objects.filter(project=project_id).order_by("pk")[:1])


class SupportSessionQuerySet(models.QuerySet):
    def visible_to(self, user, project: Project) -> "SupportSessionQuerySet":
        """Coordinators: the project's sessions. Peer researchers: those they attend.
        Supervisors: those where they are the provider. Analysts: nothing."""
        from coproduction.access import role_in

        role = role_in(user, project)
        mine = self.filter(project=project)
        if role == Role.COORDINATOR:
            return mine
        if role == Role.PEER_RESEARCHER:
            return mine.filter(attendees=user)
        if role == Role.SUPERVISOR:
            return mine.filter(provider__user=user)
        return self.none()

    def booked(self) -> "SupportSessionQuerySet":
        return self.filter(status=SupportSession.Status.BOOKED)

    def supervision(self) -> "SupportSessionQuerySet":
        return self.filter(kind__in=SupportSession.SUPERVISION_KINDS)


class SupportSession(models.Model):
    """A booked support session. Logistics only: there is deliberately no field for content."""

    class Kind(models.TextChoices):
        SUPERVISION_ONE = "supervision_1to1", "Reflective supervision (1-1)"
        SUPERVISION_GROUP = "supervision_group", "Reflective supervision (group)"
        PSYCHOTHERAPY = "psychotherapy", "Psychotherapy"
        DEBRIEF = "debrief", "Debrief"
        TRAINING = "training", "Training"

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        ATTENDED = "attended", "Attended"
        CANCELLED = "cancelled", "Cancelled"
        DID_NOT_ATTEND = "did_not_attend", "Did not attend"

    SUPERVISION_KINDS = (Kind.SUPERVISION_ONE, Kind.SUPERVISION_GROUP)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="support_sessions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    provider = models.ForeignKey(Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions")
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="support_sessions")
    # Group sessions: attendees who did not come to a session that was otherwise attended.
    absentees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="missed_support_sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(
        "Venue or online link", max_length=300, blank=True, help_text="Shown to the people attending only."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.BOOKED)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = SupportSessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["project", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.starts_at:%Y-%m-%d}"

    def audit_label(self) -> str:
        """Bookings are what coordinators see of support: the kind and the day, nobody's name."""
        return f"{self.get_kind_display()}, {timezone.localtime(self.starts_at):%-d %b %Y}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The end must be after the start."})

    @property
    def is_supervision(self) -> bool:
        return self.kind in self.SUPERVISION_KINDS

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()


class SupervisionNote(models.Model):
    """What the supervisor writes after reflective supervision. Encrypted; readable by the
    provider's account and the session's attendees only (never coordinators, never the admin)."""

    session = models.OneToOneField(SupportSession, on_delete=models.CASCADE, related_name="supervision_note")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField()
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Supervision note #{self.pk}"


class SessionRequestQuerySet(models.QuerySet):
    def open(self) -> "SessionRequestQuerySet":
        return self.filter(session__isnull=True, declined_at__isnull=True)

    def retention_expired(self, now=None) -> "SessionRequestQuerySet":
        """Spent requests past SESSION_REQUEST_RETENTION_DAYS: declined that long ago, or booked
        (the booking now holds what matters) and made that long ago. Open requests are kept:
        someone is still waiting for help."""
        cutoff = (now or timezone.now()) - timedelta(days=settings.SESSION_REQUEST_RETENTION_DAYS)
        return self.filter(Q(declined_at__lte=cutoff) | Q(session__isnull=False, created_at__lte=cutoff))


class SessionRequest(models.Model):
    """A peer researcher asks for a session; a coordinator turns it into a booking (or declines)."""

    REQUESTABLE = [
        (SupportSession.Kind.SUPERVISION_ONE, "Reflective supervision (1-1)"),
        (SupportSession.Kind.PSYCHOTHERAPY, "Psychotherapy"),
        (SupportSession.Kind.DEBRIEF, "Debrief"),
    ]

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="session_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_requests")
    kind = models.CharField(max_length=20, choices=REQUESTABLE)
    preferred_times = models.CharField(
        "When suits you", max_length=200, blank=True, help_text="For example: weekday mornings. No need to say why."
    )
    created_at = models.DateTimeField(default=timezone.now)
    session = models.OneToOneField(SupportSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="request")
    declined_at = models.DateTimeField(null=True, blank=True)

    objects = SessionRequestQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Session request #{self.pk}"


class CheckInQuerySet(models.QuerySet):
    def open_alerts(self) -> "CheckInQuerySet":
        return self.filter(alert_raised_at__isnull=False, alert_acknowledged_at__isnull=True)

    def to_do(self) -> "CheckInQuerySet":
        """Not answered yet, or a debrief offered since (the distress protocol was used) and
        not yet answered."""
        return self.filter(Q(completed_at__isnull=True) | Q(debrief_offered_at__isnull=False, debrief_answered_at__isnull=True))


class CheckIn(models.Model):
    """A debrief check-in asked of an interviewer once an interview is completed.

    The score and the note are the author's; coordinators learn only that an alert was raised
    (wants to talk, or a score at or under the project's threshold), never why.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="check_ins")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="check_ins")
    interview = models.OneToOneField(
        "interviews.Interview", null=True, blank=True, on_delete=models.SET_NULL, related_name="check_in"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(10)])
    wants_to_talk = models.BooleanField(default=False)
    private_note = EncryptedTextField(blank=True, null=True)
    alert_raised_at = models.DateTimeField(null=True, blank=True)
    alert_acknowledged_at = models.DateTimeField(null=True, blank=True)
    alert_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The interviewer used the distress protocol on the interview (interviews.signals.protocol_used):
    # a debrief is offered with the check-in; saying yes asks the coordinators for one.
    debrief_offered_at = models.DateTimeField(null=True, blank=True)
    debrief_answered_at = models.DateTimeField(null=True, blank=True)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Check-in #{self.pk}"

    @property
    def debrief_open(self) -> bool:
        return self.debrief_offered_at is not None and self.debrief_answered_at is None

    def audit_label(self) -> str:
        return "Check-in"  # never its score or whose it is: the actor column says who acted

    def needs_alert(self, policy: SupportPolicy) -> bool:
        return self.wants_to_talk or (self.score is not None and self.score <= policy.check_in_alert_threshold)


class Reflection(models.Model):
    """A private journal entry. Its author alone reads it: not coordinators, not the admin."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections")
    text = EncryptedTextField()
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-written_at", "-id"]

    def __str__(self) -> str:
        return f"Reflection #{self.pk}"


# Supervision cadence ---------------------------------------------------------------------------

DUE_SOON_DAYS = 3


@dataclass(frozen=True)
class Cadence:
    """Where one peer researcher stands against the project's supervision policy.

    Definitions (dates are calendar days in the project's time zone):
    - `since`: the start of the last *attended* reflective supervision (1-1 or group) in this
      project that the person came to (not one of a group session's absentees); if there was
      none, when the person joined the project.
    - `due_on` = the date of `since` + N days (N = supervision_every_days).
    - `interviews_since`: interviews this person completed in this project after `since`.
    - **overdue** when today is after `due_on`, or `interviews_since` is more than M
      (M = supervision_after_interviews: the (M+1)th interview happened without supervision).
    - **due** when not overdue and either today is on or after `due_on` − 3 days, or
      `interviews_since` equals M.
    - otherwise **ok**. A booked session does not change the status; it is shown beside it.
    """

    person: object
    since: datetime
    due_on: date
    interviews_since: int
    status: str  # "ok", "due", "overdue"
    next_booking: datetime | None = None


def _peer_researchers_with_cadence(project_id: int, now: datetime) -> models.QuerySet:
    """The project's peer researchers, each with the start of their last supervision attended,
    of the next one booked, and how many interviews they completed since the last (or since they
    joined): one query, aggregated in the database, so it stays flat as people and history grow."""
    from coproduction.models import Membership
    from interviews.models import Interview

    Attendee, Absentee = SupportSession.attendees.through, SupportSession.absentees.through
    supervision = Attendee.objects.filter(
        user_id=OuterRef("user_id"), supportsession__project=project_id, supportsession__kind__in=SupportSession.SUPERVISION_KINDS
    ).order_by()
    was_absent = Absentee.objects.filter(supportsession_id=OuterRef("supportsession_id"), user_id=OuterRef("user_id"))
    attended = supervision.filter(~Exists(was_absent), supportsession__status=SupportSession.Status.ATTENDED)
    booked = supervision.filter(supportsession__status=SupportSession.Status.BOOKED, supportsession__starts_at__gte=now)
    completed_since = (
        Interview.objects.filter(
            project=project_id,
            status=Interview.Status.COMPLETED,
            interviewer_id=OuterRef("user_id"),
            completed_at__gt=OuterRef("since"),
        )
        .order_by()
        .values("interviewer_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Membership.objects.filter(project=project_id, role=Role.PEER_RESEARCHER)
        .select_related("user")
        .annotate(
            last_attended=Subquery(attended.values("user_id").annotate(at=Max("supportsession__starts_at")).values("at")),
            next_booked=Subquery(booked.values("user_id").annotate(at=Min("supportsession__starts_at")).values("at")),
        )
        .annotate(since=Coalesce("last_attended", "created_at"))
        .annotate(interviews_since=Coalesce(Subquery(completed_since), 0))
        .order_by("user__display_name", "pk")
    )


# Asked on every coordinator's dashboard: compiled once (coproduction.prepared).
_cadence_rows = PreparedQuery(_peer_researchers_with_cadence)


def cadence_for(project: Project, people=None, *, today: date | None = None) -> list[Cadence]:
    """The cadence of each peer researcher in the project (or of `people`), in two queries."""
    policy = SupportPolicy.current(project)
    tz = project.tzinfo
    now = timezone.now()
    today = today or timezone.localtime(now, tz).date()
    if people is None:
        memberships = _cadence_rows(project_id=project.pk, now=now)
    else:
        memberships = list(_peer_researchers_with_cadence(project.pk, now).filter(user__in=people))
    result = []
    for membership in memberships:
        since = membership.since
        due_on = timezone.localtime(since, tz).date() + timedelta(days=policy.supervision_every_days)
        count = membership.interviews_since
        if today > due_on or count > policy.supervision_after_interviews:
            status = "overdue"
        elif today >= due_on - timedelta(days=DUE_SOON_DAYS) or count == policy.supervision_after_interviews:
            status = "due"
        else:
            status = "ok"
        result.append(Cadence(membership.user, since, due_on, count, status, membership.next_booked))
    return result
