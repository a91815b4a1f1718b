"""The anonymisation gate's records: notes drafts and their resolution logs, whoever owns them.

A draft belongs to one owner (an interview, an event), named by `owner_kind`; the owner holds
the link to its draft, so nothing here knows an owner's model. What a kind of owner gives the
gate (sections, checks, Document fields, what follows a submit or a release) is registered in
`coproduction.notes.owners`.
"""

import json
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from coproduction.fields import EncryptedTextField
from coproduction.models.projects import Project

MAX_NOTES_CHARACTERS = 200_000


class NotesDraftQuerySet(models.QuerySet):
    def visible_to(self, user, project: Project) -> "NotesDraftQuerySet":
        """Authors see their own drafts; coordinators see submitted ones (to review)."""
        from coproduction.access import role_in

        role = role_in(user, project)
        mine = self.filter(project=project)
        if role == "coordinator":
            return mine.filter(status=NotesDraft.Status.SUBMITTED) | mine.filter(author=user)
        if role == "peer_researcher":
            return mine.filter(author=user)
        return self.none()

    def owned_by(self, kind: str) -> "NotesDraftQuerySet":
        return self.filter(owner_kind=kind)

    def awaiting_review(self, project: Project) -> "NotesDraftQuerySet":
        return self.filter(project=project, status=NotesDraft.Status.SUBMITTED)

    def retention_expired(self, now=None) -> "NotesDraftQuerySet":
        now = now or timezone.now()
        return self.filter(
            status=NotesDraft.Status.RELEASED, released_at__lte=now - timedelta(days=settings.DRAFT_RETENTION_DAYS)
        )


class NotesDraft(models.Model):
    """Notes before release: private, encrypted, optimistically locked.

    `sections` (stored encrypted in `content`) maps section keys ("q<question id>", "free") to
    text. `version` rises by one with every save; a save that names an older version is a
    conflict and saves nothing.
    """

    class Status(models.TextChoices):
        WRITING = "writing", "Being written"
        SUBMITTED = "submitted", "Waiting for review"
        SENT_BACK = "sent_back", "Sent back"
        RELEASED = "released", "Released"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="notes_drafts")
    # Which registered owner (coproduction.notes.owners) the draft belongs to.
    owner_kind = models.CharField(max_length=20)
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
        # The tables keep the names they had when interviews owned them: migration 0040 (field
        # keys) reads them by these names, and the move kept every row where it was.
        db_table = "interviews_notesdraft"

    def __str__(self) -> str:
        return f"Notes draft {self.pk}"

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
        """(key, heading, text) in the owner's order (its guide's questions, the free section last)."""
        from coproduction.notes.owners import owner_of

        sections = self.sections
        return [(key, heading, sections.get(key, "")) for key, heading in owner_of(self).sections(self)]


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
        db_table = "interviews_piiresolution"

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.finding_type}"

    @property
    def finding_label(self) -> str:
        from coproduction.pii import LABELS

        return LABELS.get(self.finding_type, self.finding_type)
