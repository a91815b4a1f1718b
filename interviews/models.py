from datetime import UTC, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from coproduction.fields import EncryptedTextField
from coproduction.guides import GuideQuestion, VersionedGuide
from coproduction.models import Document, NotesDraft, Participant, Project, Venue

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

        role = role_in(user, project)
        mine = self.filter(project=project)
        if role == "coordinator":
            return mine
        if role == "peer_researcher":
            return mine.filter(interviewer=user)
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
        indexes = [models.Index(fields=["project", "starts_at"])]

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
