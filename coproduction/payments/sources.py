"""Where a claim's activities come from: what already happened, registered by kind.

The core registers held events; `interviews` registers completed interviews and `wellbeing`
training completions, from their `AppConfig.ready()`, so the core never imports either. A
source reads only what it owns and says only what a claim needs: which thing (`source`, an id
that is never brought in twice), its kind, its day, its hours if known, and a short label the
person recognises. Wellbeing's source reads training completions only: support sessions are
never activities.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from coproduction.models import ActivityKind, Event, Project, User

HOUR_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class DoneActivity:
    source: str  # e.g. "interview:12": unique per claim
    kind: str  # an ActivityKind
    on: date
    hours: Decimal | None  # None when the source does not know (the person enters them)
    label: str = ""


Source = Callable[[Project, User, date, date], Iterable[DoneActivity]]  # (project, person, first day, last day)

_sources: list[Source] = []


def register_source(source: Source) -> None:
    if source not in _sources:
        _sources.append(source)


def done_activities(project: Project, person: User, first: date, last: date) -> list[DoneActivity]:
    """Every registered source's activities of `person` from `first` to `last` (days included)."""
    return [activity for source in _sources for activity in source(project, person, first, last)]


def hours_of(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(HOUR_PLACES)


def local_span(project: Project, first: date, last: date) -> tuple[datetime, datetime]:
    """[start, end) of these days in the project's time zone, for filtering times stored in UTC."""
    tz = project.tzinfo
    return datetime.combine(first, time.min, tz), datetime.combine(last + timedelta(days=1), time.min, tz)


def held_events(project: Project, person: User, first: date, last: date) -> Iterable[DoneActivity]:
    """Events held in these days that the person facilitated."""
    start, end = local_span(project, first, last)
    events = Event.objects.held().filter(project=project, facilitators=person, starts_at__gte=start, starts_at__lt=end)
    for event in events:
        yield DoneActivity(
            source=f"event:{event.pk}",
            kind=ActivityKind.EVENT,
            on=timezone.localtime(event.starts_at, project.tzinfo).date(),
            hours=hours_of(event.duration_minutes),
            label=event.get_kind_display(),
        )
