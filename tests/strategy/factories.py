"""Strategy fixtures built straight in the database (the workflows are under test elsewhere)."""

import calendar
from datetime import date
from decimal import Decimal

from coproduction.models import Action, ActionStatus, Organisation, Priority, Project, Theme, User
from coproduction.models.strategy import Indicator, Measurement
from coproduction.strategy.actions import ensure_strategy, first_status


def priority_for(project: Project, title: str = "Safer streets") -> Priority:
    strategy = ensure_strategy(project)
    return Priority.objects.get_or_create(strategy=strategy, title=title, defaults={"order": strategy.priorities.count()})[0]


def status_for(project: Project, stage: str = ActionStatus.Stage.AGREED) -> ActionStatus:
    ensure_strategy(project)
    return first_status(project, stage)


def owner_for(project: Project, name: str = "Community safety") -> Organisation:
    return Organisation.objects.get_or_create(project=project, name=name)[0]


def make_action(
    project: Project,
    title: str = "Better lighting on the canal path",
    *,
    stage: str = ActionStatus.Stage.AGREED,
    priority: Priority | None = None,
    parent: Action | None = None,
    **fields,
) -> Action:
    status = fields.pop("status", None) or status_for(project, stage)
    priority = priority or (parent.priority if parent else priority_for(project))
    fields.setdefault("progress", status.default_progress)
    return Action.objects.create(project=project, priority=priority, parent=parent, title=title, status=status, **fields)


def theme_for(project: Project, name: str = "Street lighting", status: str = Theme.Status.ACTIVE) -> Theme:
    return Theme.objects.create(project=project, name=name, status=status)


def month(year: int, number: int) -> tuple[date, date]:
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def make_indicator(project: Project, **fields) -> Indicator:
    defaults = {"name": "Reports of anti-social behaviour", "source": "Police ASB reports", "unit": Indicator.Unit.COUNT}
    return Indicator.objects.create(project=project, **{**defaults, **fields})


def monthly(indicator: Indicator, values: list[int | str], *, by: User, start: tuple[int, int] = (2023, 4)) -> list[Measurement]:
    """One measurement a month from `start` (year, month), in order."""
    made = []
    for offset, value in enumerate(values):
        year, index = divmod(start[0] * 12 + start[1] - 1 + offset, 12)
        first, last = month(year, index + 1)
        made.append(
            Measurement.objects.create(
                indicator=indicator, period_start=first, period_end=last, value=Decimal(value), entered_by=by
            )
        )
    return made
