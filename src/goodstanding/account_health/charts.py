"""Charts drawn on the server as SVG, so the page reads without JavaScript and prints.

Each chart carries ``role="img"`` with a title and description that say in words what the
picture shows (a screen reader hears the numbers, not the shapes). Colours are presentation
attributes, not inline styles, which the site's CSP forbids.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

GAUGE_MAX = 1000
BAND_COLOURS = (("#b3261e", 0, 100), ("#b26a00", 100, 200), ("#1b6e3a", 200, GAUGE_MAX))


def _polar(cx: float, cy: float, radius: float, fraction: float) -> tuple[float, float]:
    """The point ``fraction`` (0 = left, 1 = right) along the upper half circle."""
    angle = math.pi * (1 - fraction)
    return cx + radius * math.cos(angle), cy - radius * math.sin(angle)


def _arc(cx: float, cy: float, radius: float, start: float, end: float) -> str:
    x1, y1 = _polar(cx, cy, radius, start)
    x2, y2 = _polar(cx, cy, radius, end)
    return f"M {x1:.1f} {y1:.1f} A {radius} {radius} 0 0 1 {x2:.1f} {y2:.1f}"


def gauge_svg(rating: int, *, title: str, description: str) -> str:
    """A half-circle gauge from 0 to 1000 in three bands, with a needle at ``rating``.

    The bands are drawn on a square-root scale: the thresholds that matter (100, 200) sit low
    on a 0-1000 range and would otherwise be slivers.
    """
    clamped = min(max(rating, 0), GAUGE_MAX)

    def at(value: int) -> float:
        return math.sqrt(value / GAUGE_MAX)

    cx, cy, radius = 110.0, 110.0, 90.0
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 220 130" width="220" height="130" '
        'role="img" aria-labelledby="gauge-title gauge-desc" class="gauge">',
        f'<title id="gauge-title">{escape(title)}</title>',
        f'<desc id="gauge-desc">{escape(description)}</desc>',
    ]
    for colour, low, high in BAND_COLOURS:
        parts.append(
            f'<path d="{_arc(cx, cy, radius, at(low), at(high))}" fill="none" '
            f'stroke="{colour}" stroke-width="18"/>'
        )
    nx, ny = _polar(cx, cy, radius - 24, at(clamped))
    parts.append(
        f'<line x1="{cx}" y1="{cy}" x2="{nx:.1f}" y2="{ny:.1f}" stroke="#1a1a1a" '
        f'stroke-width="4" stroke-linecap="round"/>'
    )
    parts.append(f'<circle cx="{cx}" cy="{cy}" r="6" fill="#1a1a1a"/>')
    parts.append(
        f'<text x="{cx}" y="{cy + 18}" text-anchor="middle" font-size="18" '
        f'font-weight="bold" fill="#1a1a1a">{clamped}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class TrendPoint:
    day: date
    value: float | None  # None: not enough orders that day


def trend_svg(
    points: Sequence[TrendPoint],
    *,
    target: float,
    title: str,
    description: str,
    width: int = 320,
    height: int = 90,
) -> str:
    """A line of the metric over the days given, with the target as a dashed line."""
    known = [point.value for point in points if point.value is not None]
    top = max([target, *known]) * 1.15 or 1.0
    pad = 6
    inner_w, inner_h = width - 2 * pad, height - 2 * pad

    def y_of(value: float) -> float:
        return pad + inner_h * (1 - value / top)

    def x_of(index: int) -> float:
        return pad + (inner_w * index / (len(points) - 1) if len(points) > 1 else inner_w / 2)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" class="trend">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(description)}</desc>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff" stroke="#c8c8c8"/>',
        f'<line x1="{pad}" y1="{y_of(target):.1f}" x2="{width - pad}" y2="{y_of(target):.1f}" '
        f'stroke="#b3261e" stroke-dasharray="4 3"/>',
    ]
    segment: list[str] = []
    segments: list[list[str]] = []
    for index, point in enumerate(points):
        if point.value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{x_of(index):.1f},{y_of(point.value):.1f}")
    if segment:
        segments.append(segment)
    for line in segments:
        if len(line) == 1:
            x, y = line[0].split(",")
            parts.append(f'<circle cx="{x}" cy="{y}" r="2.5" fill="#0b57d0"/>')
        else:
            parts.append(
                f'<polyline points="{" ".join(line)}" fill="none" stroke="#0b57d0" '
                f'stroke-width="2"/>'
            )
    parts.append("</svg>")
    return "".join(parts)
