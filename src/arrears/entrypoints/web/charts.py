"""Server-rendered charts (D83): the geometry of simple bar charts, computed here and drawn as
inline SVG by the `_charts.html` macros. No script and no third-party asset is needed, so the
charts obey the desk's Content-Security-Policy and print as they look; each chart is followed
by the table of its numbers (for screen readers and for exact values).
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 480
BAR_HEIGHT = 18
GAP = 6
LABEL_WIDTH = 120
VALUE_WIDTH = 90


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    shown: str  # the value as displayed (locale-formatted)
    y: int
    width: int
    tone: int  # 0-5: the CSS class of the bar's colour


@dataclass(frozen=True, slots=True)
class BarChart:
    title: str
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int = LABEL_WIDTH

    @property
    def empty(self) -> bool:
        return not self.bars


def bar_chart(
    title: str, points: list[tuple[str, float, str]], *, tones: list[int] | None = None
) -> BarChart:
    """Horizontal bars, each (label, value, shown value); lengths scale to the largest."""
    top = max((value for _, value, _ in points), default=0.0)
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = tuple(
        Bar(
            label=label,
            value=value,
            shown=shown,
            y=n * (BAR_HEIGHT + GAP),
            width=0 if top <= 0 else max(1, round(span * value / top)) if value > 0 else 0,
            tone=(tones[n] if tones else n) % 6,
        )
        for n, (label, value, shown) in enumerate(points)
    )
    return BarChart(title, bars, WIDTH, max(1, len(bars)) * (BAR_HEIGHT + GAP))


def heat(share: float | None) -> int:
    """The shade (0-5) of a roll-rate cell: darker for a larger share of the row."""
    if share is None or share <= 0:
        return 0
    return min(5, 1 + int(share * 5))


__all__ = ["Bar", "BarChart", "bar_chart", "heat"]
