"""What every server-rendered chart shares: its size, a palette that holds in greyscale and for
common colour-vision deficiencies, round tops for the value axis, and the frame that turns
positions and values into SVG coordinates.

Charts carry no script and no style attribute (the CSP allows neither): only SVG presentation
attributes and the `cg-chart` classes from frontend/app.scss. The axes and grid are drawn by
`templates/includes/_chart_axes.html`. Each chart has a title and a description in words, and
the page puts the same numbers in a table beside it.
"""

import math
from dataclasses import dataclass

# Small on purpose: a chart scales to its column, and its text must stay readable at 320 px.
WIDTH, HEIGHT = 400, 260
LEFT, RIGHT, TOP, BOTTOM = 36, 30, 12, 32
# Okabe–Ito, with a dash pattern per series as well, so colour is never the only cue.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
DASHES = ["", "8 4", "12 4 3 4", "4 4", "16 4", "8 4 3 4 3 4"]
# Reference lines (targets, baselines) are dotted, unlike any series.
REFERENCE_DASH = "2 5"
# Labels along the time axis: more would not fit at 320 px.
MAX_X_LABELS = 4


def nice_top(value: float) -> int:
    """The top of the value axis: `value` rounded up to a step that gives about five round ticks."""
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if value <= step * 5:
            return max(step, math.ceil(value / step) * step)
    return math.ceil(value)


@dataclass(frozen=True)
class Frame:
    """The plot area. Positions run from 0 to `span` along x (one per month, or days since the
    first point); values from `floor` to `top` up y."""

    span: float
    top: int
    floor: int = 0
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def plot_left(self) -> int:
        return LEFT

    @property
    def plot_right(self) -> int:
        return self.width - RIGHT

    @property
    def plot_bottom(self) -> int:
        return self.height - BOTTOM

    def x(self, position: float) -> float:
        plot_w = self.width - LEFT - RIGHT
        return round(LEFT + (plot_w * position / self.span if self.span > 0 else plot_w / 2), 1)

    def y(self, value: float) -> float:
        plot_h = self.height - TOP - BOTTOM
        return round(TOP + plot_h - plot_h * (value - self.floor) / (self.top - self.floor), 1)

    def y_ticks(self) -> list[tuple[float, int]]:
        """About five ticks; with values below zero, round ones either side of a zero tick."""
        if self.floor >= 0:
            return [(self.y(v), v) for v in range(self.floor, self.top + 1, max((self.top - self.floor) // 5, 1))]
        step = nice_top((self.top - self.floor) / 5)
        values = [-v for v in range(step, -self.floor + 1, step)][::-1] + list(range(0, self.top + 1, step))
        return [(self.y(v), v) for v in values]

    def x_labels(self, labels: list[tuple[float, str]], most: int = MAX_X_LABELS) -> list[tuple[float, str]]:
        """(x, label) for at most `most` of the (position, label) pairs, evenly spaced."""
        every = -(-len(labels) // most)
        return [(self.x(position), label) for i, (position, label) in enumerate(labels) if i % every == 0]
