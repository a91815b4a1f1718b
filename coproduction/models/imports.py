"""Texts imported from other qualitative-analysis tools (REFI-QDA .qdpx), on their way
through the anonymisation gate.

An import never writes into the corpus: each text source of the file becomes a notes draft
(owner kind "import", `coproduction.analysis.imported_notes`) that waits for PII review and a
coordinator's release like interview and event notes. What the file says about the text
(codings and memos) waits here, and attaches when the text is released.
"""

import json

from django.conf import settings
from django.db import models
from django.utils import timezone

from coproduction.fields import EncryptedTextField
from coproduction.models.corpus import Document
from coproduction.models.notes import NotesDraft
from coproduction.models.projects import Project


class ImportBatch(models.Model):
    """One confirmed upload: what it created, and what was dropped when its texts were released."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="import_batches")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The confirmed dry run's lines (theme names and counts, never source text or names).
    report = models.JSONField(default=list)
    # Codings that a redaction moved off their text, listed as each text is released.
    dropped_at_release = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import {self.pk}"


class ImportedSourceQuerySet(models.QuerySet):
    def visible_to(self, user, project: Project) -> "ImportedSourceQuerySet":
        from coproduction.access import role_in

        if role_in(user, project) == "coordinator":
            return self.filter(project=project)
        return self.none()


class ImportedSource(models.Model):
    """A text source of an imported file: its draft in the gate, and what attaches on release.

    `pending` (encrypted: it quotes text that has not passed the gate) holds the text as
    imported, to re-check each coding's position against the released text, and the memos.
    `pending_codings` holds positions and theme GUIDs only.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="imported_sources")
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="sources")
    position = models.PositiveIntegerField()
    # The source's name in the file may name someone: encrypted, shown to coordinators only.
    name = EncryptedTextField(blank=True, null=True, default="")
    cohort = models.CharField(max_length=60)
    month = models.DateField(help_text="First day of the month.")
    notes = models.OneToOneField(NotesDraft, null=True, blank=True, on_delete=models.SET_NULL, related_name="imported_source")
    document = models.OneToOneField(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="imported_source")
    notes_released_at = models.DateTimeField(null=True, blank=True)
    pending_codings = models.JSONField(default=list)
    pending = EncryptedTextField(default="{}")

    objects = ImportedSourceQuerySet.as_manager()

    class Meta:
        ordering = ["batch", "position"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """What lists call it: neutral, no name from the file."""
        return f"Imported text {self.position} of import {self.batch_id}"

    @property
    def pending_content(self) -> dict:
        value = json.loads(self.pending or "{}")
        return value if isinstance(value, dict) else {}

    @pending_content.setter
    def pending_content(self, value: dict) -> None:
        self.pending = json.dumps(value, ensure_ascii=False)

    def document_fields(self) -> dict:
        """Source "import", no participant, the cohort and month chosen or read from the
        file's Variables, and a title that names nobody."""
        return {
            "project": self.project,
            "source": Document.Source.IMPORT,
            "participant": None,
            "title": f"Imported text {self.batch_id}.{self.position}, {self.month:%B %Y}",
            "cohort": self.cohort[:60],
            "month": self.month,
        }
