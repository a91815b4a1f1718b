"""The codebook and the coding of released Documents.

Everything that points at a Document (excerpts, their codings and memos) is deleted with it:
withdrawal deletes a participant's Documents, and with them every trace in the analysis.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from coproduction.models.corpus import Document
from coproduction.models.projects import Project
from coproduction.models.trees import ParentChain

ANALYSIS_ROLES = {"coordinator", "analyst"}
CODING_ROLES = {"coordinator", "analyst", "peer_researcher"}

colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as # and six hex digits, like #1d70b8.")


class ThemeQuerySet(models.QuerySet):
    def visible_to(self, user, project: Project) -> "ThemeQuerySet":
        from coproduction.access import role_in

        if role_in(user, project) in CODING_ROLES:
            return self.filter(project=project)
        return self.none()

    def active(self) -> "ThemeQuerySet":
        return self.filter(status=Theme.Status.ACTIVE)

    def proposed(self) -> "ThemeQuerySet":
        return self.filter(status=Theme.Status.PROPOSED)


class Theme(ParentChain, models.Model):
    """A code in the codebook. Its GUID is made once, at creation, and never changes, so other
    tools (NVivo, ATLAS.ti, MAXQDA) recognise it across exports and renames."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "In use"
        RETIRED = "retired", "Retired"
        DECLINED = "declined", "Declined"
        MERGED = "merged", "Merged"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="themes")
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    colour = models.CharField(max_length=7, default="#1d70b8", validators=[colour_validator])
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    order = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ThemeQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def audit_label(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id and self.parent.project_id != self.project_id:
            raise ValidationError({"parent": "Choose a theme from this project."})
        if self.pk and self.would_cycle(self.parent):
            raise ValidationError({"parent": "A theme cannot sit inside itself or one of its own sub-themes."})


def theme_paths(themes) -> dict[int, str]:
    """{theme id: 'Parent › Child'} for an already-fetched list of themes (no queries)."""
    by_id = {t.pk: t for t in themes}
    paths: dict[int, str] = {}
    for theme in themes:
        names, node, seen = [], theme, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.append(node.name)
            node = by_id.get(node.parent_id)
        paths[theme.pk] = " › ".join(reversed(names))
    return paths


class ExcerptQuerySet(models.QuerySet):
    def visible_to(self, user, project: Project) -> "ExcerptQuerySet":
        from coproduction.access import role_in

        if role_in(user, project) in CODING_ROLES:
            return self.filter(document__project=project)
        return self.none()


class Excerpt(models.Model):
    """A span of a Document's plain text, in Unicode code points [start, end)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="excerpts")
    # Made once, at random, for REFI-QDA exchange: the same in every export, never shared with
    # another row, project or installation (not derived from the id).
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    chosen_for_report = models.BooleanField(default=False, help_text="Shown as a quote in the theme report.")
    process_reflection = models.BooleanField(
        "a reflection on the process", default=False, help_text="Quoted in the case study's Lessons learnt."
    )

    objects = ExcerptQuerySet.as_manager()

    class Meta:
        ordering = ["document", "start"]
        constraints = [models.CheckConstraint(condition=models.Q(start__lt=models.F("end")), name="excerpt_start_before_end")]

    def __str__(self) -> str:
        return f"{self.document} [{self.start}:{self.end}]"

    @property
    def quote(self) -> str:
        # Python strings index by code point, exactly like the stored offsets.
        return self.document.text[self.start : self.end]


class Coding(models.Model):
    """One theme applied to one excerpt, by one coder, at one time."""

    excerpt = models.ForeignKey(Excerpt, on_delete=models.CASCADE, related_name="codings")
    # Made once, at random, for REFI-QDA exchange: the same in every export, never shared with
    # another row, project or installation (not derived from the id).
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="codings")
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["excerpt__start"]
        constraints = [models.UniqueConstraint(fields=["excerpt", "theme"], name="one_coding_per_theme_per_excerpt")]

    def __str__(self) -> str:
        return f"{self.theme} on {self.excerpt}"


class Memo(models.Model):
    """A note by an analyst on an excerpt or on a theme (exactly one of the two)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memos")
    # Made once, at random, for REFI-QDA exchange: the same in every export, never shared with
    # another row, project or installation (not derived from the id).
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.CASCADE, related_name="memos")
    excerpt = models.ForeignKey(Excerpt, null=True, blank=True, on_delete=models.CASCADE, related_name="memos")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(theme__isnull=False, excerpt__isnull=True)
                | models.Q(theme__isnull=True, excerpt__isnull=False),
                name="memo_on_theme_or_excerpt",
            )
        ]

    def __str__(self) -> str:
        return f"Memo by {self.author}"


class CodingSession(models.Model):
    """Blind mode: while a coder's session is blind and unfinished, they see only their own codings."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="coding_sessions")
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    blind = models.BooleanField(default=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "coder"], name="one_coding_session_per_coder")]

    def __str__(self) -> str:
        return f"Coding session of {self.coder}"

    @property
    def hides_others(self) -> bool:
        return self.blind and self.finished_at is None


class DocumentSearchIndex(models.Model):
    """The stored full-text vector of a Document (PostgreSQL only; empty on SQLite).

    Written by PostgreSQL in the statement that inserts the Document, bulk creation included
    (a trigger, migration 0171), and again if its title or text ever changes. It goes with its
    Document.
    """

    document = models.OneToOneField(Document, on_delete=models.CASCADE, primary_key=True, related_name="search_index")
    vector = SearchVectorField(null=True)

    def __str__(self) -> str:
        return f"Search index of document {self.document_id}"


class ExportJobQuerySet(models.QuerySet):
    def visible_to(self, user, project: Project) -> "ExportJobQuerySet":
        """An export file is for the person who asked for it, nobody else."""
        from coproduction.access import role_in

        if role_in(user, project) in ANALYSIS_ROLES:
            return self.filter(project=project, requested_by=user)
        return self.none()


class ExportJob(models.Model):
    """A large export built in the background, kept privately for its requester, then deleted."""

    class Format(models.TextChoices):
        CSV = "csv", "Excerpts (CSV)"
        XLSX = "xlsx", "Excerpts and codebook (Excel)"
        CODEBOOK_CSV = "codebook-csv", "Codebook (CSV)"
        CODEBOOK_XLSX = "codebook-xlsx", "Codebook (Excel)"
        QDC = "qdc", "Codebook (REFI-QDA .qdc)"
        QDPX = "qdpx", "Project (REFI-QDA .qdpx)"
        QDPX_NVIVO = "qdpx-nvivo", "Project for NVivo (REFI-QDA .qdpx, positions in UTF-16 units)"
        TAGUETTE_CSV = "taguette-csv", "Codebook for Taguette (CSV)"
        PDF = "pdf", "Theme report (PDF)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        RUNNING = "running", "Being made"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="export_jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=20, choices=Format.choices)
    publication = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    # Rows written so far and rows the file will hold (what the progress page shows as it runs).
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A job is a row, its Celery message only a nudge (coproduction.analysis.tasks): when the
    # broker took it, how many workers started it, and when the running one last reported.
    queued_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.format})"

    @property
    def state_description(self) -> str:
        """What is happening, in the requester's words (the progress page and its JSON)."""
        if self.status == self.Status.QUEUED and self.queued_at is None:
            return "Waiting: the task queue cannot be reached just now; it is tried again every minute"
        if self.status == self.Status.QUEUED and self.attempts:
            return "Waiting for a worker to try again (the last one stopped)"
        if self.status == self.Status.QUEUED:
            return "Waiting for a worker"
        if self.status == self.Status.RUNNING and self.rows_total:
            return f"Being made: {self.rows_done:,} of {self.rows_total:,} rows ({self.progress}%)"
        if self.status == self.Status.RUNNING:
            return f"Being made: {self.progress}%"
        if self.status == self.Status.DONE:
            return "Ready"
        return "Failed"


class Adjudication(models.Model):
    """The project's consensus coding set: two coders' codings, reconciled by an analyst.

    While a project has one, its theme counts, matrix, exports and report are made from its
    ConsensusCoding rows instead of from every coder's codings (coproduction.analysis.counts).
    Starting again replaces it whole.
    """

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="adjudication")
    coder_a = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    coder_b = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=~models.Q(coder_a=models.F("coder_b")), name="adjudication_two_coders")]

    def __str__(self) -> str:
        return f"Consensus coding of project {self.project_id}"


class ConsensusDecision(models.Model):
    """What an analyst chose for one disagreement: a span of a document where the two coders'
    themes differ. One decision per span, made once."""

    class Choice(models.TextChoices):
        FIRST = "first", "First coder's version"
        SECOND = "second", "Second coder's version"
        BOTH = "both", "Both versions"
        NEITHER = "neither", "Neither version"

    adjudication = models.ForeignKey(Adjudication, on_delete=models.CASCADE, related_name="decisions")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    choice = models.CharField(max_length=10, choices=Choice.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["adjudication", "document", "start", "end"], name="one_decision_per_disagreement"),
            models.CheckConstraint(condition=models.Q(start__lt=models.F("end")), name="decision_start_before_end"),
        ]

    def __str__(self) -> str:
        return f"{self.get_choice_display()} on document {self.document_id} [{self.start}:{self.end}]"


class ConsensusCoding(models.Model):
    """One theme on one span of a document in the consensus set: a flat row, so counting the
    consensus is the same single GROUP BY as counting codings. Goes with its Document."""

    class Source(models.TextChoices):
        AGREED = "agreed", "Both coders agreed"
        FIRST = "first", "First coder's version"
        SECOND = "second", "Second coder's version"

    adjudication = models.ForeignKey(Adjudication, on_delete=models.CASCADE, related_name="codings")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="consensus_codings")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="consensus_codings")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    source = models.CharField(max_length=10, choices=Source.choices)
    decision = models.ForeignKey(ConsensusDecision, null=True, blank=True, on_delete=models.CASCADE, related_name="codings")

    class Meta:
        ordering = ["document", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["adjudication", "document", "theme", "start", "end"], name="one_consensus_coding_per_span"
            ),
            models.CheckConstraint(condition=models.Q(start__lt=models.F("end")), name="consensus_start_before_end"),
        ]

    def __str__(self) -> str:
        return f"{self.theme} on document {self.document_id} [{self.start}:{self.end}]"

    @property
    def quote(self) -> str:
        return self.document.text[self.start : self.end]


class ThemeCount(models.Model):
    """The counts of one theme in one coding set, per cohort: data, not a query per page.

    The theme list, the theme × cohort matrix and the report read these rows
    (coproduction.analysis.counts). `adjudication` is the coding set: empty for all coders'
    codings, or the project's consensus. `cohort` is a Document's cohort, or "" for the theme
    across every cohort (a participant counts once there even with Documents in two cohorts).
    Every action that changes what a count means recounts the themes it touched, in its own
    transaction (`counts.recount`); a theme without a row has no codings.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    adjudication = models.ForeignKey(Adjudication, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="maintained_counts")
    cohort = models.CharField(max_length=60, blank=True)
    passages = models.PositiveIntegerField(default=0)
    documents = models.PositiveIntegerField(default=0)
    participants = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["theme", "cohort"], condition=models.Q(adjudication__isnull=True), name="one_count_per_theme_cohort"
            ),
            models.UniqueConstraint(
                fields=["adjudication", "theme", "cohort"],
                condition=models.Q(adjudication__isnull=False),
                name="one_consensus_count_per_theme_cohort",
            ),
        ]
        indexes = [models.Index(fields=["project", "adjudication"], name="theme_count_by_set")]

    def __str__(self) -> str:
        return f"Counts of theme {self.theme_id} ({self.cohort or 'every cohort'})"
