from datetime import UTC, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from coproduction.fields import EncryptedTextField
from coproduction.guides import GuideQuestion, VersionedGuide
from coproduction.models import Document, NotesDraft, Participant, Project, ProtocolStep, SupportService, Venue

MAX_DURATION_MINUTES = 8 * 60


class TopicGuide(VersionedGuide):
    """The interview topic guide; each interview records the version it used."""

    label = "Topic guide"
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="topic_guides")

    class Meta(VersionedGuide.Meta):
        constraints = [models.UniqueConstraint(fields=["project", "version"], name="guide_version_per_project")]


class TopicQuestion(GuideQuestion):
    guide = models.ForeignKey(TopicGuide, on_delete=models.CASCADE, related_name="questions")


class InterviewQuerySet(models.QuerySet):
    def visible_to(self, user, project: Project) -> "InterviewQuerySet":
        """Coordinators see the project's interviews; peer researchers only their own."""
        from coproduction.access import role_in

        return self.visible_to_role(role_in(user, project), user.pk, project.pk)

    def visible_to_role(self, role: str | None, user_id: int, project_id: int) -> "InterviewQuerySet":
        """visible_to for a role already known (the interview list, compiled once per role)."""
        mine = self.filter(project=project_id)
        if role == "coordinator":
            return mine
        if role == "peer_researcher":
            return mine.filter(interviewer=user_id)
        return self.none()

    def active(self) -> "InterviewQuerySet":
        return self.exclude(status__in=[Interview.Status.CANCELLED, Interview.Status.NO_SHOW])

    def overlapping(self, starts_at, ends_at) -> list["Interview"]:
        """Active interviews that overlap [starts_at, ends_at). Candidates are narrowed in the
        database by start time (no interview is longer than MAX_DURATION_MINUTES), then checked."""
        earliest = starts_at.astimezone(UTC) - timedelta(minutes=MAX_DURATION_MINUTES)
        candidates = self.active().filter(starts_at__lt=ends_at, starts_at__gt=earliest)
        return [interview for interview in candidates if interview.ends_at > starts_at]


class Interview(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "Did not attend"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="interviews")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="interviews")
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="interviews")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="interviews")
    topic_guide = models.ForeignKey(TopicGuide, on_delete=models.PROTECT, related_name="interviews")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # The notes before release, kept by the anonymisation gate (coproduction.notes).
    notes = models.OneToOneField(NotesDraft, null=True, blank=True, on_delete=models.SET_NULL, related_name="interview")
    # Set when the notes were released; the Document itself is in the corpus.
    document = models.OneToOneField(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="interview")
    notes_released_at = models.DateTimeField(null=True, blank=True)

    objects = InterviewQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["project", "starts_at"]),
            # A peer researcher's interviews since their last supervision (wellbeing.cadence_for).
            models.Index(fields=["interviewer", "completed_at"], name="interview_done_by_interviewer"),
        ]

    def __str__(self) -> str:
        return f"Interview {self.pk} with {self.participant.code}"

    def audit_label(self) -> str:
        """As the audit log shows it: "Interview, 5 Dec" (the participant is a row of its own)."""
        return f"Interview, {timezone.localtime(self.starts_at):%-d %b %Y}"

    @property
    def ends_at(self):
        # In UTC: adding to a local time would be wall-clock arithmetic, wrong across a clock change.
        return self.starts_at.astimezone(UTC) + timedelta(minutes=self.duration_minutes)

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.SCHEDULED


class SafeguardingFlag(models.Model):
    """A concern raised on an interview. Minimal detail in the app; coordinators are alerted at once."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="flags")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    detail = EncryptedTextField(blank=True, null=True, help_text="A few words; the detail is shared in person, not here.")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"Flag {self.pk}"

    @property
    def project(self) -> Project:
        return self.interview.project


class ProtocolUseQuerySet(models.QuerySet):
    def visible_to(self, user, project: Project) -> "ProtocolUseQuerySet":
        """The interviewer sees the records on their own interviews, coordinators the project's;
        analysts and supervisors none (nor does anything that exports or publishes)."""
        from coproduction.access import role_in

        return self.visible_to_role(role_in(user, project), user.pk, project.pk)

    def visible_to_role(self, role: str | None, user_id: int, project_id: int) -> "ProtocolUseQuerySet":
        """visible_to for a role already known (the dashboard's, compiled once per role)."""
        mine = self.filter(interview__project=project_id)
        if role == "coordinator":
            return mine
        if role == "peer_researcher":
            return mine.filter(interview__interviewer=user_id)
        return self.none()

    def follow_ups_to_make(self) -> "ProtocolUseQuerySet":
        return self.filter(follow_up_on__isnull=False, follow_up_done_at__isnull=True)


class ProtocolUse(models.Model):
    """That the distress protocol was used on an interview: choices only, never free text.

    Which stage was reached, whether the interview ended, what was offered (and which services
    from the directory) and whether a follow-up call was agreed (a date). It is about the
    interview, not its content: it never reaches the notes, the corpus, exports or publication.
    """

    class Offer(models.TextChoices):
        BREAK = "break", "A break"
        MOVE_ON = "move_on", "To leave the topic"
        END = "end", "To end the interview"
        CARD = "card", "The pocket card"
        SERVICE = "service", "To contact a service for them, with their agreement"
        SOMEONE = "someone", "To call someone they trust"

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="protocol_uses")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # PROTECT: a step named on a record is renamed, not removed (coproduction.signposting.actions).
    stage_reached = models.ForeignKey(ProtocolStep, on_delete=models.PROTECT, related_name="+")
    interview_ended = models.BooleanField()
    offered = models.JSONField(default=list, blank=True)  # Offer values
    services = models.ManyToManyField(SupportService, blank=True, related_name="+")
    follow_up_on = models.DateField(null=True, blank=True)  # a follow-up call was agreed for this day
    follow_up_done_at = models.DateTimeField(null=True, blank=True)
    follow_up_done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ProtocolUseQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [models.Index(fields=["follow_up_on"], name="protocol_follow_up_idx")]

    def __str__(self) -> str:
        return f"Protocol use {self.pk}"

    @property
    def project(self) -> Project:
        return self.interview.project

    @property
    def follow_up_agreed(self) -> bool:
        return self.follow_up_on is not None

    def offered_labels(self) -> list[str]:
        labels = dict(self.Offer.choices)
        return [labels[value] for value in self.offered if value in labels]

    def follow_up_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.follow_up_on is not None and self.follow_up_done_at is None and self.follow_up_on < today
