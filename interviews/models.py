import json
from datetime import UTC, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from coproduction.fields import EncryptedTextField
from coproduction.guides import GuideQuestion, VersionedGuide
from coproduction.models import Document, Participant, Project, Venue

MAX_DURATION_MINUTES = 8 * 60
MAX_NOTES_CHARACTERS = 200_000


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
    # Set when the notes were released; the Document itself is in the corpus.
    document = models.OneToOneField(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="interview")
    notes_released_at = models.DateTimeField(null=True, blank=True)

    objects = InterviewQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["project", "starts_at"])]

    def __str__(self) -> str:
        return f"Interview {self.pk} with {self.participant.code}"

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


class NotesDraftQuerySet(models.QuerySet):
    def visible_to(self, user, project: Project) -> "NotesDraftQuerySet":
        """Authors see their own drafts; coordinators see submitted ones (to review)."""
        from coproduction.access import role_in

        role = role_in(user, project)
        mine = self.filter(interview__project=project)
        if role == "coordinator":
            return mine.filter(status=NotesDraft.Status.SUBMITTED) | mine.filter(author=user)
        if role == "peer_researcher":
            return mine.filter(author=user)
        return self.none()

    def awaiting_review(self, project: Project) -> "NotesDraftQuerySet":
        return self.filter(interview__project=project, status=NotesDraft.Status.SUBMITTED)

    def retention_expired(self, now=None) -> "NotesDraftQuerySet":
        now = now or timezone.now()
        return self.filter(
            status=NotesDraft.Status.RELEASED, released_at__lte=now - timedelta(days=settings.DRAFT_RETENTION_DAYS)
        )


class NotesDraft(models.Model):
    """Notes of one interview before release: private, encrypted, optimistically locked.

    `sections` (stored encrypted in `content`) maps "q<question id>" and "free" to text. `version` rises by one with every
    save; a save that names an older version is a conflict and saves nothing.
    """

    class Status(models.TextChoices):
        WRITING = "writing", "Being written"
        SUBMITTED = "submitted", "Waiting for review"
        SENT_BACK = "sent_back", "Sent back"
        RELEASED = "released", "Released"

    interview = models.OneToOneField(Interview, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The sections as JSON in one encrypted text: one Fernet token per draft, which
    # `rotate_field_keys` re-encrypts like any other encrypted field. Use `sections`.
    content = EncryptedTextField(default="{}")
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.WRITING)
    review_comment = EncryptedTextField(blank=True, null=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    saved_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    sent_back_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)

    objects = NotesDraftQuerySet.as_manager()

    class Meta:
        ordering = ["-saved_at"]

    def __str__(self) -> str:
        return f"Notes draft {self.pk}"

    @property
    def project(self) -> Project:
        return self.interview.project

    @property
    def sections(self) -> dict[str, str]:
        """{"q<question id>": text, ..., "free": text}."""
        # Reading `content` raises CannotOpen when no configured key opens it.
        value = json.loads(self.content or "{}")
        return value if isinstance(value, dict) else {}

    @sections.setter
    def sections(self, value: dict[str, str]) -> None:
        self.content = json.dumps(value, ensure_ascii=False)

    @property
    def is_editable(self) -> bool:
        return self.status in {self.Status.WRITING, self.Status.SENT_BACK}

    def section_list(self) -> list[tuple[str, str, str]]:
        """(key, heading, text) in topic-guide order, the free section last."""
        rows = [(f"q{q.pk}", q.text, self.sections.get(f"q{q.pk}", "")) for q in self.interview.topic_guide.questions.all()]
        rows.append(("free", "Anything else", self.sections.get("free", "")))
        return rows


class PiiResolution(models.Model):
    """The resolution log of the anonymisation gate: each finding redacted or dismissed.

    The found text is never stored: a dismissal keeps a keyed hash of it, so a re-scan can
    recognise the same text as dismissed; the reason is encrypted (it may quote the notes).
    """

    class Action(models.TextChoices):
        REDACTED = "redacted", "Redacted"
        DISMISSED = "dismissed", "Dismissed"

    draft = models.ForeignKey(NotesDraft, on_delete=models.CASCADE, related_name="resolutions")
    section = models.CharField(max_length=20)
    finding_type = models.CharField(max_length=20)
    text_hash = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    reason = EncryptedTextField(blank=True, null=True, default="")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.finding_type}"

    @property
    def finding_label(self) -> str:
        from coproduction.pii import LABELS

        return LABELS.get(self.finding_type, self.finding_type)
