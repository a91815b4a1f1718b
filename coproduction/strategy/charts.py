"""An indicator's chart as server-rendered SVG: its measurements over time as a line with a
marker per period, and the baseline as a dotted reference line. Built on the shared frame and
palette (`coproduction.charts`); drawn by `templates/strategy/includes/_indicator_chart.html`
with a title and a description in words, beside a table of the same numbers.

For publication, a count of people under the small-number threshold is not drawn (the line
breaks there) and the description says so: the chart cannot tell what the table hides. The
value axis is scaled on what is drawn only, so its top cannot give a hidden figure away.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from coproduction.charts import COLOURS, HEIGHT, MAX_X_LABELS, REFERENCE_DASH, WIDTH, Frame, nice_top
from coproduction.strategy.indicators import Point, Summary

# Small multiples on the overview: a narrower frame, so their text stays readable in a third
# of the page.
SMALL_WIDTH, SMALL_HEIGHT = 300, 200
SMALL_X_LABELS = 3


@dataclass(frozen=True)
class IndicatorChart:
    width: int
    height: int
    colour: str
    reference_dash: str
    lines: list[str]  # "x,y x,y ..." per unbroken run of drawn points
    markers: list[tuple[float, float, str]]
    baseline_y: float | None
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]
    plot_left: int
    plot_right: int
    plot_bottom: int
    not_drawn: int  # suppressed points left out


def _middle(point: Point) -> date:
    return point.start + timedelta(days=(point.end - point.start).days // 2)


def indicator_chart(summary: Summary, *, small: bool = False) -> IndicatorChart | None:
    """The chart for `summary` (made with or without `publication`), None with nothing to draw."""
    if not summary.points:
        return None
    drawn = [p for p in summary.points if not p.suppressed]
    baseline = summary.baseline if summary.baseline and not summary.baseline.suppressed else None
    values = [float(p.value) for p in drawn] + ([float(baseline.value)] if baseline else [])
    highest, lowest = max(values, default=0), min(values, default=0)
    first = _middle(summary.points[0])
    span = (_middle(summary.points[-1]) - first).days
    frame = Frame(
        span=span,
        top=nice_top(max(highest, 1)),
        floor=-nice_top(-lowest) if lowest < 0 else 0,
        width=SMALL_WIDTH if small else WIDTH,
        height=SMALL_HEIGHT if small else HEIGHT,
    )

    def at(point: Point) -> tuple[float, float]:
        return frame.x((_middle(point) - first).days), frame.y(float(point.value))

    lines, run = [], []
    for point in summary.points:
        if point.suppressed:
            lines.append(run)
            run = []
        else:
            run.append(at(point))
    lines.append(run)
    labels = [((_middle(p) - first).days, f"{p.start:%b %Y}") for p in summary.points]
    return IndicatorChart(
        width=frame.width,
        height=frame.height,
        colour=COLOURS[0],
        reference_dash=REFERENCE_DASH,
        lines=[" ".join(f"{x},{y}" for x, y in run) for run in lines if run],
        markers=[(*at(p), p.shown) for p in drawn],
        baseline_y=frame.y(float(baseline.value)) if baseline else None,
        x_labels=frame.x_labels(labels, most=SMALL_X_LABELS if small else MAX_X_LABELS),
        y_ticks=frame.y_ticks(),
        plot_left=frame.plot_left,
        plot_right=frame.plot_right,
        plot_bottom=frame.plot_bottom,
        not_drawn=len(summary.points) - len(drawn),
    )


def chart_description(summary: Summary) -> str:
    """The chart in words, for its <desc>: the span, the latest figure and both changes, the
    baseline, and why any figure is not drawn."""
    points = summary.points
    if not points:
        return f"{summary.indicator.name}: no measurements yet."
    parts = [f"{summary.indicator.name}, {len(points)} measurement{'s' if len(points) != 1 else ''}"]
    parts[0] += f" from {points[0].label} to {points[-1].label}." if len(points) > 1 else f" for {points[0].label}."
    latest = summary.latest
    parts.append(f"Latest, {latest.label}: {latest.shown}; {summary.against_year_earlier.words}.")
    if summary.baseline is not None:
        compared = summary.compared
        figure = f"{compared.label}: {compared.shown}; " if compared is not None and compared is not latest else ""
        parts.append(f"Baseline, {summary.baseline.label}: {summary.baseline.shown}. {figure}{summary.against_baseline.words}.")
    parts.append(not_drawn_in_words(summary))
    return " ".join(part for part in parts if part)


def not_drawn_in_words(summary: Summary) -> str:
    hidden = summary.suppressed_count + (1 if summary.baseline and summary.baseline.suppressed else 0)
    if not hidden:
        return ""
    figures = "figure counts" if hidden == 1 else "figures count"
    return (
        f"{hidden} {figures} fewer than {summary.threshold} people and {'is' if hidden == 1 else 'are'} not drawn: "
        "numbers that small could identify someone."
    )
