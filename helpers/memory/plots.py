"""Plots a learner would rather look at than read: tokens per turn and what they cost.

Drawn as plain SVG, so the learner's install needs no plotting library (matplotlib and numpy
would add about 170 MB to every install in a room).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from .costsim import Outcome

COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
PANEL_W, PANEL_H, LEFT, TOP, BOTTOM, LEGEND_ROW = 470, 300, 60, 40, 40, 18


def nice_top(value: float) -> float:
    """A round number at or above value (1, 2 or 5 times a power of ten), for the top of an axis."""
    step = 1.0
    while step * 10 <= value:
        step *= 10
    return next(step * m for m in (1, 2, 5, 10) if step * m >= value) if value > 0 else 1.0


def panel(x0: float, title: str, xlabel: str, series: list[tuple[str, list[float]]]) -> list[str]:
    """One panel of lines as SVG elements, its axes starting at zero."""
    top = nice_top(max((max(values) for _, values in series if values), default=1.0))
    turns = max((len(values) for _, values in series), default=1)
    width, height = PANEL_W - LEFT - 10, PANEL_H - TOP - BOTTOM
    def xy(i: int, v: float) -> str:
        return f"{x0 + LEFT + width * i / max(turns - 1, 1):.1f},{TOP + height * (1 - v / top):.1f}"
    parts = [f'<text x="{x0 + LEFT + width / 2}" y="20" text-anchor="middle" font-size="13">{html.escape(title)}</text>',
             f'<rect x="{x0 + LEFT}" y="{TOP}" width="{width}" height="{height}" fill="none" stroke="#888"/>',
             f'<text x="{x0 + LEFT + width / 2}" y="{PANEL_H - 6}" text-anchor="middle" font-size="11">{xlabel}</text>']
    for k in range(5):
        y = TOP + height * (1 - k / 4)
        parts.append(f'<text x="{x0 + LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10">{top * k / 4:,.0f}</text>')
    for turn in range(0, turns, 20):
        parts.append(f'<text x="{xy(turn, 0).split(",")[0]}" y="{TOP + height + 14}" text-anchor="middle" font-size="10">{turn}</text>')
    for (_, values), color in zip(series, COLORS * 3, strict=False):
        points = " ".join(xy(i, v) for i, v in enumerate(values))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="1.5"/>')
    return parts


@dataclass(frozen=True)
class Chart:
    """An SVG chart that Jupyter shows as an image; `save(path)` writes it to a .svg file."""

    title: str
    svg: str

    def _repr_svg_(self) -> str:
        """The chart, for Jupyter."""
        return self.svg

    def __repr__(self) -> str:
        """What a plain-text display shows."""
        return f"<chart: {self.title}>"

    def save(self, path: Path) -> Path:
        """Write the chart as an SVG file."""
        path.write_text(self.svg, encoding="utf-8")
        return path


def legend(outcomes: list[Outcome], y0: float) -> list[str]:
    """The legend under the panels, two columns, one swatch and label per line (inside the figure at any width)."""
    parts = []
    for row, (outcome, color) in enumerate(zip(outcomes, COLORS * 3, strict=False)):
        x, y = LEFT + PANEL_W * (row % 2), y0 + LEGEND_ROW * (row // 2)
        parts.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 24}" y2="{y - 4}" stroke="{color}" stroke-width="3"/>'
                     f'<text x="{x + 30}" y="{y}" font-size="12">{html.escape(outcome.label)}</text>')
    return parts


def plot_costs(outcomes: list[Outcome], title: str = "") -> Chart:
    """Two panels: tokens sent per turn, and cumulative input billed, one line per strategy; the legend below."""
    sent = [(o.label, [float(turn.sent) for turn in o.turns]) for o in outcomes]
    billed = [(o.label, list(accumulate(turn.billed for turn in o.turns))) for o in outcomes]
    shift = 24 if title else 0
    height = PANEL_H + 20 + LEGEND_ROW * ((len(outcomes) + 1) // 2) + shift
    parts = panel(0, "Tokens sent per turn (estimate)", "turn", sent)
    parts += panel(PANEL_W, "Cumulative input billed (token equivalents)", "turn", billed)
    parts += legend(outcomes, PANEL_H + 16)
    head = f'<text x="{PANEL_W}" y="16" text-anchor="middle" font-size="14" font-weight="bold">{html.escape(title)}</text>' if title else ""
    width = 2 * PANEL_W
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'style="max-width: 100%; height: auto" font-family="sans-serif">'
           f'<rect width="100%" height="100%" fill="white"/>{head}<g transform="translate(0,{shift})">{"".join(parts)}</g></svg>')
    return Chart(title or "memory strategies", svg)
