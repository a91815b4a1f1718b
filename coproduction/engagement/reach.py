"""Who we have heard from: people reached per cohort, by month, against the project's targets.

People are reached in two ways. Events add their attendance counts (held events only, in the
month they were held). Other apps add the people they reached through a registered source:
`interviews` counts each consenting participant once, in the month of their first interview
held. The core never imports those apps; they register a function here from `ready()`.

Events are counted, not named, so one person at two events counts twice; the page says so.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from coproduction.analysis.suppression import suppress_count, suppress_small_counts
from coproduction.models import CohortAttendance, Event, EventFeedback, Project, ReachTarget

# (project) -> [(cohort, moment, people)]: moments are aware datetimes, placed in the project's month.
ReachSource = Callable[[Project], Iterable[tuple[str, datetime, int]]]

_sources: dict[str, ReachSource] = {}


def register_source(label: str, source: ReachSource) -> None:
    """Add a way of reaching people, shown as its own column (e.g. "Interviews")."""
    _sources[label] = source


def source_labels() -> list[str]:
    return [*_sources, "Events"]


def month_of(moment: datetime, project: Project) -> date:
    return timezone.localtime(moment, project.tzinfo).date().replace(day=1)


def event_reach(project: Project) -> list[tuple[str, datetime, int]]:
    rows = CohortAttendance.objects.filter(event__project=project, event__status=Event.Status.HELD)
    return list(rows.values_list("cohort", "event__starts_at", "count"))


@dataclass
class CohortReach:
    cohort: str
    by_source: dict[str, int]
    target: int | None
    cumulative: list[int] = field(default_factory=list)  # one per month of Reach.months

    @property
    def total(self) -> int:
        return sum(self.by_source.values())

    @property
    def share_of_target(self) -> int | None:
        return round(100 * self.total / self.target) if self.target else None


@dataclass
class Reach:
    project: Project
    months: list[date]
    cohorts: list[CohortReach]
    sources: list[str]

    @property
    def total(self) -> int:
        return sum(c.total for c in self.cohorts)


def reach_for(project: Project) -> Reach:
    """Steps: collect (cohort, month, people) from every source; add them up per cohort and
    source; make a running total per cohort over every month from the first to the last."""
    sources = {**_sources, "Events": event_reach}
    per_source: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    per_month: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for label, source in sources.items():
        for cohort, moment, people in source(project):
            per_source[cohort][label] += people
            per_month[cohort][month_of(moment, project)] += people
    targets = dict(ReachTarget.objects.filter(project=project).values_list("cohort", "target"))
    seen = [m for months in per_month.values() for m in months]
    months = _month_range(min(seen), max(seen)) if seen else []
    cohorts = []
    for cohort in [*project.cohorts, *sorted(set(per_source) - set(project.cohorts))]:
        row = CohortReach(cohort, {label: per_source[cohort].get(label, 0) for label in sources}, targets.get(cohort))
        running = 0
        for month in months:
            running += per_month[cohort].get(month, 0)
            row.cumulative.append(running)
        cohorts.append(row)
    return Reach(project, months, cohorts, list(sources))


def _month_range(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = month.replace(year=month.year + 1, month=1) if month.month == 12 else month.replace(month=month.month + 1)
    return months


def reach_table(reach: Reach, *, for_publication: bool) -> list[dict]:
    """Rows for the table beside the chart: counts per source and in total, and the target.
    For publication, counts under the project's threshold read "<10" (with secondary
    suppression, so a hidden cell cannot be recovered from the total)."""
    threshold = reach.project.small_number_threshold
    rows = []
    for cohort in reach.cohorts:
        counts = [cohort.by_source[label] for label in reach.sources]
        if for_publication:
            labels = suppress_small_counts([counts], threshold)[0]
        else:
            labels = [str(n) for n in [*counts, cohort.total]]
        rows.append(
            {
                "cohort": cohort.cohort,
                "counts": labels[:-1],
                "total": labels[-1],
                "target": cohort.target,
                "share": None if for_publication and labels[-1].startswith("<") else cohort.share_of_target,
            }
        )
    return rows


def monthly_table(reach: Reach, *, for_publication: bool) -> list[dict]:
    threshold = reach.project.small_number_threshold
    return [
        {
            "month": month,
            "counts": [
                suppress_count(c.cumulative[i], threshold) if for_publication else str(c.cumulative[i]) for c in reach.cohorts
            ],
        }
        for i, month in enumerate(reach.months)
    ]


# ---------------------------------------------------------------- the trust measure


@dataclass(frozen=True)
class Trust:
    """The share who felt listened to ("yes") of those who answered."""

    label: str
    yes: int
    answered: int

    @property
    def share(self) -> int | None:
        return round(100 * self.yes / self.answered) if self.answered else None

    def shown(self, threshold: int, *, for_publication: bool) -> str:
        if self.share is None:
            return "No answers yet"
        if for_publication and self.answered < threshold:
            return f"Fewer than {threshold} answers"
        return f"{self.share}% of {self.answered}"


def trust_by_month(project: Project) -> list[Trust]:
    rows = EventFeedback.objects.filter(event__project=project, event__status=Event.Status.HELD)
    months: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for starts_at, yes, partly, no in rows.values_list("event__starts_at", "listened_yes", "listened_partly", "listened_no"):
        totals = months[month_of(starts_at, project)]
        totals[0] += yes
        totals[1] += yes + partly + no
    return [Trust(f"{month:%B %Y}", yes, answered) for month, (yes, answered) in sorted(months.items())]


def trust_overall(project: Project) -> Trust:
    months = trust_by_month(project)
    return Trust("All events", sum(t.yes for t in months), sum(t.answered for t in months))
