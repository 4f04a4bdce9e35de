"""Bar charts drawn on the server: numbers in, SVG geometry out (the templates draw it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
HEIGHT = 220
# Room for the value above a bar and the label below the axis.
TOP = 22
BOTTOM = 34
LEFT = 8
GAP = 0.25  # of each slot, between bars


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value_label: str
    # The bar's own colour class (e.g. the unanswered bucket stands out).
    tone: str = ""

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    baseline: float
    bars: list[Bar]
    # A horizontal guide (e.g. 5 stars) with its label, or None.
    guide_y: float | None = None
    guide_label: str = ""


def bar_chart(
    points: Sequence[tuple[str, float | None, str]],
    *,
    top_value: float | None = None,
    guide: tuple[float, str] | None = None,
    tones: Sequence[str] | None = None,
) -> BarChart:
    """Bars for (label, value, value shown) points; None draws no bar but keeps the slot.

    `top_value` fixes the scale (5 for star ratings), else the largest value fills it.
    """
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = float(HEIGHT - BOTTOM)
    highest = top_value or max((v for _, v, _ in points if v), default=0) or 1
    slot = (WIDTH - 2 * LEFT) / max(len(points), 1)
    bars = []
    for index, (label, value, shown) in enumerate(points):
        size = plot_height * (value or 0) / highest
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * GAP / 2, 1),
                y=round(baseline - size, 1),
                width=round(slot * (1 - GAP), 1),
                height=round(size, 1),
                label=label,
                value_label=shown,
                tone=tones[index] if tones else "",
            )
        )
    guide_y = None
    guide_label = ""
    if guide is not None:
        guide_y = round(baseline - plot_height * guide[0] / highest, 1)
        guide_label = guide[1]
    return BarChart(WIDTH, HEIGHT, baseline, bars, guide_y, guide_label)
