"""Counts behind the theme list, the theme × cohort matrix and the reports.

Each function runs a fixed number of queries however many themes, documents or codings there
are. Participants who withdrew are never counted (their Documents are deleted on withdrawal;
the filter is a second guard).

What is counted is a *coding set* (`coding_set(project)`): every coder's codings, or, once an
analyst has started adjudication (coproduction.analysis.consensus), the consensus coding alone.
Either way the unit counted is a passage: an excerpt of one coder (all coders' codings: two
coders marking the same words count twice) or a span of the consensus (once).
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from coproduction.analysis.suppression import suppress_count, suppress_small_counts
from coproduction.models import Adjudication, Coding, ConsensusCoding, Consent, Project, Theme
from coproduction.models.codebook import theme_paths

NOT_WITHDRAWN = Q(excerpt__document__participant__isnull=True) | Q(excerpt__document__participant__withdrawn_at__isnull=True)


def _not_withdrawn(document: str) -> Q:
    return Q(**{f"{document}__participant__isnull": True}) | Q(**{f"{document}__participant__withdrawn_at__isnull": True})


def codings_of(project: Project) -> QuerySet:
    return Coding.objects.filter(excerpt__document__project=project, theme__project=project).filter(NOT_WITHDRAWN)


def with_publishable_quotes(codings: QuerySet, document: str = "excerpt__document") -> QuerySet:
    """Only codings whose participant's current consent lets anonymous quotes be published.

    Documents with no participant (engagement events) carry no individual consent: their
    quotes may be published only when the event's ground rules said so to the room.
    `document` is the path from the rows to their Document ("document" for consensus rows).
    """
    current = Consent.objects.filter(
        participant=OuterRef(f"{document}__participant"), withdrawn_at__isnull=True, take_part=True
    ).order_by("-given_at")
    event_allows = Q(**{f"{document}__participant__isnull": True, f"{document}__event__ground_rules_allow_quotes": True})
    return codings.annotate(may_publish=Subquery(current.values("quotes_published")[:1])).filter(
        Q(may_publish=True) | event_allows
    )


@dataclass(frozen=True)
class CodingSet:
    """Which codings the counts, matrix, exports and reports are made from.

    `rows()` is a queryset of Coding (all coders) or ConsensusCoding (the consensus); `document`
    and `passage` are the lookups to a row's Document and to what counts as one passage, so one
    GROUP BY serves both. `spans()` gives (document id, start, end, theme id) for either, the
    shape an exporter such as REFI-QDA needs.
    """

    project: Project
    adjudication: Adjudication | None

    @property
    def consensus(self) -> bool:
        return self.adjudication is not None

    @property
    def document(self) -> str:
        return "document" if self.consensus else "excerpt__document"

    @property
    def passage(self) -> str:
        return "pk" if self.consensus else "excerpt"

    @property
    def described(self) -> str:
        return "the consensus coding" if self.consensus else "all coders' codings"

    @property
    def label(self) -> str:
        return f"Counts from {self.described}"

    @property
    def passages_explained(self) -> str:
        if self.consensus:
            return "Passages are spans of the consensus coding: each counts once, however many coders marked it."
        return "Passages are coders' excerpts: when two coders marked the same words, both count."

    def rows(self) -> QuerySet:
        if not self.consensus:
            return codings_of(self.project)
        return ConsensusCoding.objects.filter(adjudication=self.adjudication, theme__project=self.project).filter(
            _not_withdrawn("document")
        )

    def publishable(self, rows: QuerySet) -> QuerySet:
        return with_publishable_quotes(rows, self.document)

    def spans(self, rows: QuerySet | None = None) -> Iterator[tuple[int, int, int, int]]:
        """(document id, start, end, theme id) of every row, in document order, streamed."""
        rows = self.rows() if rows is None else rows
        if self.consensus:
            fields = ("document_id", "start", "end", "theme_id")
        else:
            fields = ("excerpt__document_id", "excerpt__start", "excerpt__end", "theme_id")
        yield from rows.order_by(*fields).values_list(*fields).iterator(chunk_size=2000)


def coding_set(project: Project) -> CodingSet:
    """The consensus coding when the project has one, otherwise all coders' codings. One query."""
    return CodingSet(project, Adjudication.objects.filter(project=project).first())


@dataclass
class ThemeRow:
    theme: Theme
    path: str
    depth: int
    excerpts: int = 0
    documents: int = 0
    participants: int = 0

    def labels(self, threshold: int, publication: bool) -> tuple[str, str, str]:
        if not publication:
            return str(self.excerpts), str(self.documents), str(self.participants)
        return tuple(suppress_count(n, threshold) for n in (self.excerpts, self.documents, self.participants))


def ordered_themes(project: Project, statuses=(Theme.Status.ACTIVE,)) -> list[tuple[Theme, str, int]]:
    """Themes depth-first in codebook order, as (theme, path, depth). One query."""
    themes = list(project.themes.filter(status__in=statuses))
    paths = theme_paths(themes)
    ids = {t.pk for t in themes}
    children: dict[int | None, list[Theme]] = {}
    for theme in themes:
        parent = theme.parent_id if theme.parent_id in ids else None
        children.setdefault(parent, []).append(theme)
    out: list[tuple[Theme, str, int]] = []

    def walk(parent, depth):
        for theme in sorted(children.get(parent, []), key=lambda t: (t.order, t.name.lower())):
            out.append((theme, paths[theme.pk], depth))
            walk(theme.pk, depth + 1)

    walk(None, 0)
    return out


def theme_rows(project: Project, statuses=(Theme.Status.ACTIVE,), codings: CodingSet | None = None) -> list[ThemeRow]:
    """Every theme with its passage, document and participant counts. Three queries."""
    codings = codings or coding_set(project)
    doc = codings.document
    counts = {
        row["theme"]: row
        for row in codings.rows()
        .values("theme")
        .annotate(
            excerpts=Count(codings.passage, distinct=True),
            documents=Count(doc, distinct=True),
            participants=Count(f"{doc}__participant", distinct=True),
        )
    }
    rows = []
    for theme, path, depth in ordered_themes(project, statuses):
        c = counts.get(theme.pk, {})
        rows.append(ThemeRow(theme, path, depth, c.get("excerpts", 0), c.get("documents", 0), c.get("participants", 0)))
    return rows


@dataclass
class Matrix:
    cohorts: list[str]
    rows: list[tuple[Theme, str, list[int]]]
    label: str = ""

    def labelled(self, threshold: int, publication: bool) -> list[tuple[Theme, str, list[str]]]:
        """Each row's cells and its total (participants raising the theme in any cohort)."""
        if publication:
            labels = suppress_small_counts([counts for _, _, counts in self.rows], threshold)
        else:
            labels = [[str(n) for n in counts] + [str(sum(counts))] for _, _, counts in self.rows]
        return [(theme, path, row_labels) for (theme, path, _), row_labels in zip(self.rows, labels, strict=True)]


def cohort_matrix(project: Project, codings: CodingSet | None = None) -> Matrix:
    """How many participants of each cohort raised each theme. Three queries.

    A participant belongs to one cohort, so a row's cells add up to the participants who raised
    the theme at all.
    """
    codings = codings or coding_set(project)
    doc = codings.document
    cohorts = list(project.cohorts)
    found = (
        codings.rows()
        .filter(**{f"{doc}__participant__isnull": False})
        .values("theme", f"{doc}__cohort")
        .annotate(participants=Count(f"{doc}__participant", distinct=True))
    )
    cells: dict[tuple[int, str], int] = {}
    for row in found:
        cohort = row[f"{doc}__cohort"]
        if cohort not in cohorts:
            cohorts.append(cohort)
        cells[(row["theme"], cohort)] = row["participants"]
    rows = [(theme, path, [cells.get((theme.pk, cohort), 0) for cohort in cohorts]) for theme, path, _ in ordered_themes(project)]
    return Matrix(cohorts, rows, codings.label)
