"""The reach chart as server-rendered SVG: people reached so far per cohort, month by month,
with each cohort's target as a dashed line. No script, nothing from elsewhere; the template
gives it a title and a description, and the same numbers stand in a table beside it.

For publication, a point under the small-number threshold is not drawn (its line starts once
the count reaches the threshold), so the chart cannot tell what the table hides.
"""

from dataclasses import dataclass

from coproduction.engagement.reach import Reach

# Small on purpose: the chart scales to its column, and its text must stay readable at 320 px.
WIDTH, HEIGHT = 400, 260
LEFT, RIGHT, TOP, BOTTOM = 36, 30, 12, 32
# Distinguishable in greyscale and for common colour-vision deficiencies (Okabe–Ito), with a
# dash pattern per cohort as well, so colour is never the only cue.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
DASHES = ["", "8 4", "12 4 3 4", "4 4", "16 4", "8 4 3 4 3 4"]  # targets are dotted ("2 5")


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


def _nice_top(value: int) -> int:
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if value <= step * 5:
            return max(step, -(-value // step) * step)
    return value


def reach_chart(reach: Reach, *, for_publication: bool) -> Chart | None:
    if not reach.months:
        return None
    threshold = reach.project.small_number_threshold
    highest = max([c.cumulative[-1] for c in reach.cohorts] + [c.target or 0 for c in reach.cohorts] + [1])
    top = _nice_top(highest)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    steps = max(len(reach.months) - 1, 1)

    def x(i: int) -> float:
        return round(LEFT + (plot_w * i / steps if len(reach.months) > 1 else plot_w / 2), 1)

    def y(value: int) -> float:
        return round(TOP + plot_h - plot_h * value / top, 1)

    series = []
    for n, cohort in enumerate(reach.cohorts):
        shown = [(x(i), y(v), v) for i, v in enumerate(cohort.cumulative) if not (for_publication and 0 < v < threshold)]
        series.append(
            Series(
                cohort=cohort.cohort,
                colour=COLOURS[n % len(COLOURS)],
                dash=DASHES[n % len(DASHES)],
                points=" ".join(f"{px},{py}" for px, py, _ in shown),
                markers=shown,
                target_y=y(cohort.target) if cohort.target else None,
            )
        )
    every = -(-len(reach.months) // 4)  # at most four month labels: they must fit at 320 px
    x_labels = [(x(i), f"{m:%b %Y}") for i, m in enumerate(reach.months) if i % every == 0]
    y_ticks = [(y(v), v) for v in range(0, top + 1, max(top // 5, 1))]
    return Chart(WIDTH, HEIGHT, series, x_labels, y_ticks, LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM)


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
