import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from coproduction.models.participants import Participant
from coproduction.models.projects import Project


class DocumentImmutable(Exception):
    """Released documents are never edited; withdrawal is the only way one leaves the corpus."""


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user, project: Project) -> "DocumentQuerySet":
        from coproduction.access import role_in

        return self.visible_to_role(role_in(user, project), project.pk)

    def visible_to_role(self, role: str | None, project_id: int) -> "DocumentQuerySet":
        """visible_to for a role already known (search, compiled once per role)."""
        if role in {"coordinator", "analyst", "peer_researcher"}:
            return self.filter(project=project_id)
        return self.none()


class Document(models.Model):
    """An anonymised, immutable text in the corpus that analysis reads.

    Created only by releasing notes through the anonymisation gate. It records the month of
    the interview or event, never the exact date. `text` is the plain text that coding offsets
    (Unicode code points) refer to; `sections` keeps the headings and where each starts.
    """

    class Source(models.TextChoices):
        INTERVIEW = "interview", "Interview"
        EVENT = "event", "Engagement event"
        IMPORT = "import", "Imported from another tool"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    participant = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.CASCADE, related_name="documents")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.INTERVIEW)
    title = models.CharField(max_length=200)
    # Made once, at random, for REFI-QDA exchange: the same in every export, never shared with
    # another row, project or installation (not derived from the id).
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cohort = models.CharField(max_length=60)
    month = models.DateField(help_text="First day of the month it was held.")
    sections = models.JSONField(default=list, help_text='[{"heading": ..., "start": ..., "end": ...}]')
    text = models.TextField()
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField(default=timezone.now)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "title"]
        # The corpus list pages by keyset in this order (coproduction.analysis.corpus).
        indexes = [models.Index("project", models.F("month").desc(), "title", "id", name="document_corpus_order")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise DocumentImmutable("Released documents cannot be changed.")
        super().save(*args, **kwargs)

    def audit_label(self) -> str:
        return self.title  # a participant code or an event kind, and the month: no content

    @classmethod
    def compose(cls, sections: list[tuple[str, str]]) -> tuple[str, list[dict]]:
        """Join (heading, body) pairs into one plain text; return it with the section spans."""
        parts: list[str] = []
        spans: list[dict] = []
        position = 0
        for heading, body in sections:
            block = f"{heading}\n\n{body.strip()}\n\n"
            spans.append({"heading": heading, "start": position, "end": position + len(block)})
            parts.append(block)
            position += len(block)
        return "".join(parts), spans
