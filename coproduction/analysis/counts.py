"""Counts behind the theme list, the theme × cohort matrix and the reports.

Each function runs a fixed number of queries however many themes, documents or codings there
are. Participants who withdrew are never counted (their Documents are deleted on withdrawal;
the filter is a second guard).
"""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from coproduction.analysis.suppression import suppress_count, suppress_small_counts
from coproduction.models import Coding, Consent, Project, Theme
from coproduction.models.codebook import theme_paths

NOT_WITHDRAWN = Q(excerpt__document__participant__isnull=True) | Q(excerpt__document__participant__withdrawn_at__isnull=True)


def codings_of(project: Project) -> QuerySet:
    return Coding.objects.filter(excerpt__document__project=project, theme__project=project).filter(NOT_WITHDRAWN)


def with_publishable_quotes(codings: QuerySet) -> QuerySet:
    """Only codings whose participant's current consent lets anonymous quotes be published.

    Documents with no participant (engagement events) carry no individual consent: their
    quotes may be published only when the event's ground rules said so to the room.
    """
    current = Consent.objects.filter(
        participant=OuterRef("excerpt__document__participant"), withdrawn_at__isnull=True, take_part=True
    ).order_by("-given_at")
    event_allows = Q(excerpt__document__participant__isnull=True, excerpt__document__event__ground_rules_allow_quotes=True)
    return codings.annotate(may_publish=Subquery(current.values("quotes_published")[:1])).filter(
        Q(may_publish=True) | event_allows
    )


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


def theme_rows(project: Project, statuses=(Theme.Status.ACTIVE,)) -> list[ThemeRow]:
    """Every theme with its excerpt, document and participant counts. Two queries."""
    counts = {
        row["theme"]: row
        for row in codings_of(project)
        .values("theme")
        .annotate(
            excerpts=Count("excerpt", distinct=True),
            documents=Count("excerpt__document", distinct=True),
            participants=Count("excerpt__document__participant", distinct=True),
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

    def labelled(self, threshold: int, publication: bool) -> list[tuple[Theme, str, list[str]]]:
        """Each row's cells and its total (participants raising the theme in any cohort)."""
        if publication:
            labels = suppress_small_counts([counts for _, _, counts in self.rows], threshold)
        else:
            labels = [[str(n) for n in counts] + [str(sum(counts))] for _, _, counts in self.rows]
        return [(theme, path, row_labels) for (theme, path, _), row_labels in zip(self.rows, labels, strict=True)]


def cohort_matrix(project: Project) -> Matrix:
    """How many participants of each cohort raised each theme. Two queries.

    A participant belongs to one cohort, so a row's cells add up to the participants who raised
    the theme at all.
    """
    cohorts = list(project.cohorts)
    found = (
        codings_of(project)
        .filter(excerpt__document__participant__isnull=False)
        .values("theme", "excerpt__document__cohort")
        .annotate(participants=Count("excerpt__document__participant", distinct=True))
    )
    cells: dict[tuple[int, str], int] = {}
    for row in found:
        cohort = row["excerpt__document__cohort"]
        if cohort not in cohorts:
            cohorts.append(cohort)
        cells[(row["theme"], cohort)] = row["participants"]
    rows = [(theme, path, [cells.get((theme.pk, cohort), 0) for cohort in cohorts]) for theme, path, _ in ordered_themes(project)]
    return Matrix(cohorts, rows)
