"""Unanswered themes: what people said that no action the strategy has committed to answers.

The rule:

- A theme is listed when it is active (in use in the codebook), at least one excerpt is coded
  with it (someone said it), and no committed action of the project links to it. Committed
  means a status whose stage is agreed, in progress or done, and the action not merged into
  another (`Action.objects.committed()`). A proposed or declined action does not answer a theme.
  Only the theme itself counts: an action linked to a parent theme does not answer its
  sub-themes, which are listed on their own.
- Ordered by weight of evidence: distinct participants who raised it (most first), then the
  number of cohorts those participants belong to, then excerpts, then name.
- Engagement event Documents (source "event", no participant) record the room, not the
  people: their excerpts count in the excerpts (the last key), never as participants or as a
  cohort reached (an event's cohort field names the room's mix, e.g. "Resident, Faith leader").
- Participants who withdrew are never counted (`analysis.counts` does the same).
- The list's counts are the maintained theme counts of all coders' codings (`ThemeCount`,
  kept by `analysis.counts.recount`), not a GROUP BY over every coding on each dashboard.

Internal counts (the page is for coordinators and analysts), so nothing is suppressed.
"""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, FilteredRelation, Max, Q, QuerySet, Window
from django.db.models.functions import Coalesce

from coproduction.analysis.counts import codings_of
from coproduction.models import Action, Project, Theme
from coproduction.models.codebook import theme_paths
from coproduction.prepared import PreparedQuery

PER_PAGE = 25


def unanswered_themes(project: Project | int) -> QuerySet:
    """Active themes with evidence that no committed action answers, heaviest evidence first,
    each annotated with participants, cohorts_reached and excerpts. One query when evaluated:
    each theme's maintained counts are joined and aggregated in one pass (a subquery per theme
    and per figure read the count table 240 times at 60 themes)."""
    answered = Action.themes.through.objects.filter(action__in=Action.objects.committed().filter(project=project)).values(
        "theme_id"
    )
    every_cohort, one_cohort = Q(counts__cohort=""), ~Q(counts__cohort="") & Q(counts__participants__gt=0)
    return (
        Theme.objects.filter(project=project, status=Theme.Status.ACTIVE)
        .exclude(pk__in=answered)
        .alias(counts=FilteredRelation("maintained_counts", condition=Q(maintained_counts__adjudication=None)))
        .annotate(
            participants=Coalesce(Max("counts__participants", filter=every_cohort), 0),
            cohorts_reached=Count("counts", filter=one_cohort),
            excerpts=Coalesce(Max("counts__passages", filter=every_cohort), 0),
        )
        .filter(excerpts__gt=0)
        .order_by("-participants", "-cohorts_reached", "-excerpts", "name", "pk")
    )


@dataclass
class UnansweredTheme:
    theme: Theme
    path: str
    participants: int
    cohorts_reached: int
    excerpts: int
    # (cohort, participants) for every cohort of the project and any other found.
    by_cohort: list[tuple[str, int]] = field(default_factory=list)
    event_excerpts: int = 0


def describe(project: Project, themes: list[Theme]) -> list[UnansweredTheme]:
    """Counts by cohort for an already-fetched list of themes. Two queries."""
    if not themes:
        return []
    ids = [t.pk for t in themes]
    paths = theme_paths(list(project.themes.all()))
    codings = codings_of(project).filter(theme__in=ids)
    cohorts = list(project.cohorts)
    cells: dict[tuple[int, str], int] = {}
    for row in (
        codings.filter(excerpt__document__participant__isnull=False)
        .values("theme", "excerpt__document__cohort")
        .annotate(participants=Count("excerpt__document__participant", distinct=True))
    ):
        cohort = row["excerpt__document__cohort"]
        if cohort not in cohorts:
            cohorts.append(cohort)
        cells[(row["theme"], cohort)] = row["participants"]
    events = {
        row["theme"]: row["n"]
        for row in codings.filter(excerpt__document__participant__isnull=True)
        .values("theme")
        .annotate(n=Count("excerpt", distinct=True))
    }
    return [
        UnansweredTheme(
            theme=t,
            path=paths.get(t.pk, t.name),
            participants=t.participants,
            cohorts_reached=t.cohorts_reached,
            excerpts=t.excerpts,
            by_cohort=[(c, cells.get((t.pk, c), 0)) for c in cohorts],
            event_excerpts=events.get(t.pk, 0),
        )
        for t in themes
    ]


def unanswered_page(project: Project, number, per_page: int = PER_PAGE) -> tuple[Page, list[UnansweredTheme]]:
    """One page of the list, with each theme's counts by cohort. Five queries."""
    page = Paginator(unanswered_themes(project), per_page).get_page(number)
    return page, describe(project, list(page.object_list))


def _heaviest_unanswered(top: int, project_id: int) -> QuerySet:
    return unanswered_themes(project_id).annotate(listed=Window(Count("*")))[:top]


# On every coordinator's and analyst's dashboard: compiled once (coproduction.prepared).
_heaviest = PreparedQuery(_heaviest_unanswered)


def dashboard_summary(project: Project, top: int = 3) -> dict:
    """How many themes nothing answers, and the heaviest few. One query (the count is a
    window over the whole list, taken before the list is cut)."""
    themes = _heaviest(top, project_id=project.pk)
    return {"count": themes[0].listed if themes else 0, "top": themes}
