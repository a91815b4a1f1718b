"""What an outcome indicator's figures say: the latest measurement against the baseline and
against the same period a year earlier, as numbers and in words ("down 26% on April–October
2023"), and whether that is an improvement given which direction is better.

Pure functions over values already read from the database (no queries here): the pages, the
chart and, later, the published version all call `summarise` on an indicator and its
measurements.

For publication (`publication=True`), an indicator that counts people shows a count under the
project's small-number threshold as "<10", and a change that involves such a count is not
given: with the other figure shown, a percentage would give the hidden count back.
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from coproduction.analysis.suppression import is_small, suppress_count
from coproduction.models.strategy import Indicator, Measurement

Unit = Indicator.Unit
Better = Indicator.Better
ONE_PLACE = Decimal("0.1")


# ---------------------------------------------------------------- periods


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def months_earlier(day: date, months: int) -> date:
    """The same day `months` months before; the last day of a month stays the last day (29
    February 2024 less 12 months is 28 February 2023, and 28 February 2025 is 29 February 2024)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    if day.day == _last_day(day.year, day.month):
        return date(year, month, _last_day(year, month))
    return date(year, month, min(day.day, _last_day(year, month)))


def year_earlier(start: date, end: date) -> tuple[date, date]:
    """The same period a year earlier: start and end each moved back 12 months."""
    return months_earlier(start, 12), months_earlier(end, 12)


def _whole_months(start: date, end: date) -> bool:
    return start.day == 1 and end.day == _last_day(end.year, end.month)


def period_label(start: date, end: date) -> str:
    """A period in words: "April 2024", "April–October 2023", "November 2023–January 2024",
    "3–17 April 2024", "3 April–17 May 2024" or "28 December 2023–3 January 2024"."""
    if _whole_months(start, end):
        if (start.year, start.month) == (end.year, end.month):
            return f"{start:%B %Y}"
        if start.year == end.year:
            return f"{start:%B}–{end:%B %Y}"
        return f"{start:%B %Y}–{end:%B %Y}"
    if start == end:
        return f"{start.day} {start:%B %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B}–{end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y}–{end.day} {end:%B %Y}"


# ---------------------------------------------------------------- values


def format_value(value: Decimal, unit: str) -> str:
    """1,234 · 12.5% · 3.2 per 1,000 (no trailing ".00")."""
    number = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    text = f"{number:,f}"
    if unit == Unit.PERCENT:
        return f"{text}%"
    if unit == Unit.RATE_PER_1000:
        return f"{text} per 1,000"
    return text


def is_suppressed(value: Decimal | None, *, counts_people: bool, threshold: int, publication: bool) -> bool:
    """A count of people under the threshold, in something to be published."""
    return publication and counts_people and value is not None and is_small(value, threshold)


def shown_value(value: Decimal, unit: str, *, counts_people: bool, threshold: int, publication: bool) -> str:
    if is_suppressed(value, counts_people=counts_people, threshold=threshold, publication=publication):
        return suppress_count(int(value), threshold)
    return format_value(value, unit)


# ---------------------------------------------------------------- change


@dataclass(frozen=True)
class Change:
    """The latest value against an earlier one (the baseline, or a year earlier).

    `percent` is the relative change for counts and rates; for a percent unit the change is
    `difference` percentage points and `percent` is None. `comparable` is False when there is
    nothing to compare (no earlier figure, an earlier 0, a hidden small count), with `words`
    saying why. `improvement` is None for no change or no comparison."""

    words: str
    comparable: bool
    difference: Decimal | None = None
    percent: Decimal | None = None
    improvement: bool | None = None

    @property
    def verdict(self) -> str:
        """ "better", "worse", "no change" or "" (no comparison)."""
        if not self.comparable:
            return ""
        if self.improvement is None:
            return "no change"
        return "better" if self.improvement else "worse"


def _round(value: Decimal) -> Decimal:
    """Whole numbers from 10 up, one decimal place below ("up 3%", "up 0.4%")."""
    places = Decimal(1) if abs(value) >= 10 else ONE_PLACE
    return value.quantize(places, rounding=ROUND_HALF_UP).normalize() + 0


def _number(value: Decimal) -> str:
    return format(_round(value), "f")


def compare(
    now: Decimal,
    then: Decimal | None,
    *,
    unit: str,
    better: str,
    against: str,
    earlier: str = "the baseline",
    missing: str = "no baseline has been set",
) -> Change:
    """`now` against `then`, said as "<direction> <amount> on <against>".

    Steps: no `then` → cannot compare; a percent unit → the difference in percentage points;
    otherwise the relative change, where an earlier 0 cannot be divided by (unless now is 0
    too: no change); the direction is an improvement when it goes the way `better` says.
    """
    if then is None:
        return Change(f"cannot compare: {missing}", comparable=False)
    difference = now - then
    improvement = None if difference == 0 else (difference < 0) == (better == Better.LOWER)
    direction = "up" if difference > 0 else "down"
    if unit == Unit.PERCENT:
        points = abs(difference)
        if difference == 0:
            return Change(f"no change on {against}", True, difference, None, None)
        if _round(points) == 0:
            return Change(f"{direction} less than 0.1 percentage points on {against}", True, difference, None, improvement)
        plural = "point" if _round(points) == 1 else "points"
        return Change(f"{direction} {_number(points)} percentage {plural} on {against}", True, difference, None, improvement)
    if then == 0:
        if now == 0:
            return Change(f"no change on {against}", True, Decimal(0), None, None)
        return Change(f"cannot compare: {earlier} was 0", comparable=False, difference=difference)
    percent = difference / abs(then) * 100
    if difference == 0:
        return Change(f"no change on {against}", True, difference, Decimal(0), None)
    if _round(percent) == 0:
        return Change(f"{direction} less than 0.1% on {against}", True, difference, percent, improvement)
    return Change(f"{direction} {_number(abs(percent))}% on {against}", True, difference, percent, improvement)


# ---------------------------------------------------------------- an indicator's summary


@dataclass(frozen=True)
class Point:
    """One measurement as it is shown."""

    start: date
    end: date
    value: Decimal
    label: str  # the period in words
    shown: str  # the value in words, "<10" when suppressed
    suppressed: bool
    note: str
    pk: int | None = None


@dataclass(frozen=True)
class Summary:
    """An indicator's figures as shown. `latest` is the latest measurement, compared with the
    same period a year earlier; `compared` is what is compared with the baseline: the latest
    measurement, or a like-for-like total (see `like_for_like`)."""

    indicator: Indicator
    points: list[Point]  # oldest first
    baseline: Point | None
    latest: Point | None
    compared: Point | None
    against_baseline: Change | None
    year_earlier: Point | None
    against_year_earlier: Change | None
    publication: bool
    threshold: int

    @property
    def suppressed_count(self) -> int:
        return sum(point.suppressed for point in self.points)


def _hidden(earlier: str, threshold: int) -> Change:
    return Change(f"not shown: {earlier} or the latest figure counts fewer than {threshold} people", comparable=False)


def _months_long(start: date, end: date) -> int:
    return round(((end - start).days + 1) / 30.44)


def adds_up(indicator: Indicator) -> bool:
    """Counts of events (reports, incidents) add up over time; counts of people do not (someone
    supported in April and in May is one person, not two), nor do percentages and rates."""
    return indicator.unit == Unit.COUNT and not indicator.counts_people


def _tiled(points: list[Point], start: date, end: date) -> list[Point] | None:
    """The points that cover start..end exactly, one after another with no gap, else None."""
    inside = sorted((p for p in points if p.start >= start and p.end <= end), key=lambda p: (p.start, -p.end.toordinal()))
    chain, cursor = [], start
    for point in inside:
        if point.start == cursor:
            chain.append(point)
            cursor = date.fromordinal(point.end.toordinal() + 1)
    return chain if chain and chain[-1].end == end else None


def like_for_like(points: list[Point], baseline: Point) -> tuple[date, date, list[Point]] | None:
    """The latest period like the baseline's, a whole number of years later, that the
    measurements cover completely: April–October 2024 for a baseline of April–October 2023
    measured month by month. None when no such period is covered yet."""
    if not points:
        return None
    years = points[-1].end.year - baseline.start.year
    for shift in range(years, 0, -1):
        start, end = months_earlier(baseline.start, -12 * shift), months_earlier(baseline.end, -12 * shift)
        chain = _tiled(points, start, end)
        if chain is not None:
            return start, end, chain
    return None


def summarise(indicator: Indicator, measurements: Iterable[Measurement], *, threshold: int, publication: bool = False) -> Summary:
    """The indicator's points (oldest first); its latest measurement against the same period a
    year earlier; and the latest figure against the baseline. `threshold` is the project's
    small-number threshold.

    A baseline longer than the measurements (April–October 2023, measured monthly) is compared
    like for like: with the total of the same months in the latest year they are all measured,
    for indicators whose figures add up (`adds_up`); otherwise with the latest measurement.
    """
    unit, people = indicator.unit, indicator.counts_people

    def point(start: date, end: date, value: Decimal, note: str = "", pk: int | None = None) -> Point:
        hidden = is_suppressed(value, counts_people=people, threshold=threshold, publication=publication)
        shown = shown_value(value, unit, counts_people=people, threshold=threshold, publication=publication)
        return Point(start, end, value, period_label(start, end), shown, hidden, note, pk)

    points = [point(m.period_start, m.period_end, m.value, m.note, m.pk) for m in measurements]
    points.sort(key=lambda p: (p.start, p.end))
    baseline = None
    if indicator.baseline_start and indicator.baseline_end and indicator.baseline_value is not None:
        baseline = point(indicator.baseline_start, indicator.baseline_end, indicator.baseline_value)
    latest = max(points, key=lambda p: (p.end, p.start)) if points else None
    compared = latest
    against_baseline = against_year = year_point = None
    if latest is not None:
        missing = "no baseline has been set"
        if baseline is not None and _months_long(baseline.start, baseline.end) > _months_long(latest.start, latest.end):
            like = like_for_like(points, baseline) if adds_up(indicator) else None
            if like is not None:
                # Only counts of events add up, and they are never suppressed: no total can
                # give a hidden count back.
                start, end, chain = like
                compared = point(start, end, sum(p.value for p in chain))
            elif adds_up(indicator):
                compared = None
        if compared is None:
            against_baseline = Change(
                f"cannot compare: the measurements do not yet cover a period like the baseline ({baseline.label}) a year on",
                comparable=False,
            )
        else:
            against_baseline = _against(compared, baseline, indicator, threshold, "the baseline", missing)
        by_period = {(p.start, p.end): p for p in points}
        year_point = by_period.get(year_earlier(latest.start, latest.end))
        against_year = _against(
            latest,
            year_point,
            indicator,
            threshold,
            "the same period a year earlier",
            "no figure for the same period a year earlier",
        )
    return Summary(
        indicator, points, baseline, latest, compared, against_baseline, year_point, against_year, publication, threshold
    )


def _against(latest: Point, earlier: Point | None, indicator: Indicator, threshold: int, what: str, missing: str) -> Change:
    if earlier is not None and (latest.suppressed or earlier.suppressed):
        return _hidden(what, threshold)
    return compare(
        latest.value,
        earlier.value if earlier else None,
        unit=indicator.unit,
        better=indicator.better,
        against=earlier.label if earlier else "",
        earlier=what,
        missing=missing,
    )
