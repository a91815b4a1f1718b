"""Indicators and measurements for strategy tests."""

import calendar
from datetime import date
from decimal import Decimal

from coproduction.models import Project, User
from coproduction.models.strategy import Indicator, Measurement


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
