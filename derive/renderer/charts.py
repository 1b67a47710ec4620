"""Bar charts from counts: the geometry (numbers only) that the SVG and TikZ templates draw.

A chart is computed once and drawn by ``svg/bars.svg.j2`` for HTML and by the ``bars`` macro of
the LaTeX class report, so both show the same bars, labels and axis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


#: A bar is never wider than this (a chart with two bars would otherwise be two walls).
MAX_BAR_WIDTH = 56.0


@dataclass(frozen=True, kw_only=True)
class Bar:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, kw_only=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True, kw_only=True)
class Chart:
    """Bars in a ``width`` × ``height`` box (SVG user units; y grows downwards), with the
    plotting area between ``left``/``right`` and ``top``/``bottom``."""

    title: str
    x_label: str
    y_label: str
    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    total: int

    @property
    def summary(self) -> str:
        """The chart in words (the SVG's description, for screen readers)."""
        parts = ", ".join(f"{bar.label}: {bar.count}" for bar in self.bars)
        return f"{self.title}. {self.x_label} against {self.y_label}: {parts}."


def bar_chart(counts: Sequence[tuple[str, int]], *, title: str, x_label: str, y_label: str,
              width: float = 640, height: float = 300) -> Chart:
    """A bar per (label, count), in the order given, on an axis from 0 with round ticks."""
    left, right, top, bottom = 56.0, width - 16.0, 34.0, height - 52.0
    highest = max((count for _, count in counts), default=0)
    step = _tick_step(highest)
    top_value = max(step, math.ceil(highest / step) * step) if highest else 1
    scale = (bottom - top) / top_value
    slot = (right - left) / max(1, len(counts))
    bar_width = min(slot - min(6.0, slot * 0.15), MAX_BAR_WIDTH)
    bars = tuple(
        Bar(label=label, count=count, x=round(left + index * slot + (slot - bar_width) / 2, 2),
            y=round(bottom - count * scale, 2), width=round(bar_width, 2), height=round(count * scale, 2))
        for index, (label, count) in enumerate(counts)
    )
    ticks = tuple(Tick(value=value, y=round(bottom - value * scale, 2)) for value in range(0, top_value + 1, step))
    return Chart(title=title, x_label=x_label, y_label=y_label, width=width, height=height, left=left, right=right,
                 top=top, bottom=bottom, bars=bars, ticks=ticks, total=sum(count for _, count in counts))


def _tick_step(highest: int) -> int:
    """1, 2 or 5 times a power of ten, giving at most 6 ticks."""
    if highest <= 5:
        return 1
    magnitude = 10 ** int(math.floor(math.log10(highest / 5)))
    for factor in (1, 2, 5, 10):
        if highest / (factor * magnitude) <= 5:
            return factor * magnitude
    return 10 * magnitude
