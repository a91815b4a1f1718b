"""The reach chart as server-rendered SVG: people reached so far per cohort, month by month,
with each cohort's target as a dashed line. No script, nothing from elsewhere; the template
gives it a title and a description, and the same numbers stand in a table beside it.

For publication, a point under the small-number threshold is not drawn (its line starts once
the count reaches the threshold), so the chart cannot tell what the table hides.
"""

from dataclasses import dataclass

from coproduction.charts import COLOURS, DASHES, Frame, nice_top
from coproduction.engagement.reach import Reach


@dataclass(frozen=True)
class Series:
    cohort: str
    colour: str
    dash: str
    points: str  # "x,y x,y ..." for a polyline
    markers: list[tuple[float, float, int]]
    target_y: float | None


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    series: list[Series]
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]
    plot_left: int
    plot_right: int
    plot_bottom: int


def reach_chart(reach: Reach, *, for_publication: bool) -> Chart | None:
    if not reach.months:
        return None
    threshold = reach.project.small_number_threshold
    highest = max([c.cumulative[-1] for c in reach.cohorts] + [c.target or 0 for c in reach.cohorts] + [1])
    frame = Frame(span=len(reach.months) - 1, top=nice_top(highest))
    series = []
    for n, cohort in enumerate(reach.cohorts):
        shown = [
            (frame.x(i), frame.y(v), v) for i, v in enumerate(cohort.cumulative) if not (for_publication and 0 < v < threshold)
        ]
        series.append(
            Series(
                cohort=cohort.cohort,
                colour=COLOURS[n % len(COLOURS)],
                dash=DASHES[n % len(DASHES)],
                points=" ".join(f"{px},{py}" for px, py, _ in shown),
                markers=shown,
                target_y=frame.y(cohort.target) if cohort.target else None,
            )
        )
    x_labels = frame.x_labels([(i, f"{m:%b %Y}") for i, m in enumerate(reach.months)])
    return Chart(
        frame.width, frame.height, series, x_labels, frame.y_ticks(), frame.plot_left, frame.plot_right, frame.plot_bottom
    )


def chart_description(reach: Reach, *, for_publication: bool) -> str:
    """The chart in words, for its <desc>: where each cohort stands against its target."""
    threshold = reach.project.small_number_threshold
    parts = []
    for cohort in reach.cohorts:
        total = cohort.total
        said = f"fewer than {threshold}" if for_publication and 0 < total < threshold else str(total)
        target = f" of a target of {cohort.target}" if cohort.target else ""
        parts.append(f"{cohort.cohort}: {said}{target}")
    span = f"from {reach.months[0]:%B %Y} to {reach.months[-1]:%B %Y}" if reach.months else ""
    return f"People reached so far, by month {span}. " + "; ".join(parts) + "."
