"""What every chart shares: the data types, the palette, scales and ticks, axes, legends, the SVG frame."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeGuard

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
TEXT = "#1f2328"
MUTED = "#57606a"
GRID = "#d0d7de"
HIGHLIGHT_BAND = "#fff3c4"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"
MISSING = "\u2013"  # an en dash: "no figure"

WIDTH = 720
PLOT_HEIGHT = 240
MARGIN_LEFT = 72
MARGIN_RIGHT = 20
TITLE_HEIGHT = 30
LEGEND_ROW = 22
BOX_ROW = 44
BOX_LABEL_WIDTH = 220

# Unique within a process, hence within every page or PDF built by it.
chart_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    svg: SafeString
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Box:
    """One row of a box plot.

    To show a row as text only ("peer group too small"), give a ``note`` and
    pass its figures as ``None`` (or NaN); a row with figures and a note shows
    both. A row needs its median; without quartiles it draws no box, and without
    a minimum and a maximum no whiskers (figures withheld for privacy, say).
    """

    label: str
    minimum: float | None
    q1: float | None
    median: float | None
    q3: float | None
    maximum: float | None
    marker: float | None = None
    note: str = ""

    @property
    def has_figures(self) -> bool:
        return present(self.median)

    @property
    def has_box(self) -> bool:
        return present(self.q1) and present(self.q3)

    @property
    def has_whiskers(self) -> bool:
        return present(self.minimum) and present(self.maximum)


def present(value: float | None) -> TypeGuard[float]:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def formatter(value_format: str) -> Callable[[float | None], str]:
    def fmt(value: float | None) -> str:
        return value_format.format(value) if present(value) else MISSING

    return fmt


def num(value: float) -> str:
    """Coordinates with two decimals at most, so the markup stays small."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def nice_step(span: float, target_ticks: int = 5) -> float:
    """A 1, 2, 2.5 or 5 times a power of ten step giving about ``target_ticks`` ticks."""
    if span <= 0:
        return 1.0
    raw = span / target_ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def tick_values(low: float, high: float, fmt: Callable[[float | None], str] | None = None) -> list[float]:
    """Round tick values covering [low, high]; the first and last are the axis ends.

    With ``fmt``, a step too fine for the format (0.5 printed as whole numbers)
    is widened to whole units, so no two ticks read the same.
    """
    if high == low:
        high = low + 1
    step = nice_step(high - low)
    if fmt is not None and step < 1 and len({fmt(step * i) for i in range(3)}) < 3:
        step = 1.0
    start = math.floor(low / step) * step
    stop = math.ceil(high / step) * step
    count = round((stop - start) / step)
    return [start + i * step for i in range(count + 1)]


def svg_document(
    *, chart_id: str, title: str, description: str, width: float, height: float, body: list[str]
) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart-svg" id="{chart_id}" '
        f'viewBox="0 0 {num(width)} {num(height)}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{escape(FONT)}" font-size="13" '
        f'fill="{TEXT}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description or title)}</desc>'
        f'<text x="0" y="18" font-size="15" font-weight="bold" aria-hidden="true">{escape(title)}</text>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # every label above and in body is escaped


def legend_rows(series_names: Sequence[str], *, y: float, shapes: bool = False) -> tuple[list[str], float]:
    """A legend that wraps onto as many rows as needed; returns the markup and its height."""
    if len(series_names) < 2:
        return [], 0
    parts: list[str] = ['<g aria-hidden="true">']
    x, row = 0.0, 0
    for index, name in enumerate(series_names):
        item_width = 28 + 7.2 * len(name) + 18
        if x and x + item_width > WIDTH:
            x, row = 0.0, row + 1
        cy = y + row * LEGEND_ROW + 8
        colour = PALETTE[index % len(PALETTE)]
        if shapes:
            parts.append(
                f'<line x1="{num(x)}" y1="{num(cy)}" x2="{num(x + 22)}" y2="{num(cy)}" stroke="{colour}" '
                f'stroke-width="2.5"{dash_pattern(index)}/>'
            )
            parts.append(marker_svg(index, x + 11, cy, colour))
        else:
            parts.append(f'<rect x="{num(x)}" y="{num(cy - 6)}" width="14" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{num(x + 28)}" y="{num(cy + 4.5)}">{escape(name)}</text>')
        x += item_width
    parts.append("</g>")
    return parts, (row + 1) * LEGEND_ROW + 6


def dash_pattern(index: int) -> str:
    pattern = ("", "6 3", "2 3", "8 3 2 3")[(index // len(PALETTE) + index) % 4]
    return f' stroke-dasharray="{pattern}"' if pattern else ""


def marker_svg(
    index: int, x: float, y: float, colour: str, *, title: str = "", extra: str = "", size: float = 1.0
) -> str:
    """Circle, square, triangle, diamond: a second cue besides colour. ``title`` is plain text."""
    shape = index % 4
    r = 4 * size
    if shape == 0:
        tag, attrs = "circle", f'cx="{num(x)}" cy="{num(y)}" r="{num(r)}"'
    elif shape == 1:
        tag, attrs = "rect", f'x="{num(x - r)}" y="{num(y - r)}" width="{num(2 * r)}" height="{num(2 * r)}"'
    elif shape == 2:
        tag = "polygon"
        tip, foot = f"{num(x)},{num(y - 1.25 * r)}", f"{num(y + r)}"
        attrs = f'points="{tip} {num(x + 1.1 * r)},{foot} {num(x - 1.1 * r)},{foot}"'
    else:
        tag, d = "polygon", 1.25 * r
        attrs = f'points="{num(x)},{num(y - d)} {num(x + d)},{num(y)} {num(x)},{num(y + d)} {num(x - d)},{num(y)}"'
    if not title:
        return f'<{tag} {attrs} fill="{colour}"{extra}/>'
    return f'<{tag} {attrs} fill="{colour}"{extra}><title>{escape(title)}</title></{tag}>'


@dataclass(frozen=True)
class Frame:
    """The plot area of a chart with categories along x and values along y."""

    top: float
    left: float
    width: float
    height: float
    low: float
    high: float

    def y(self, value: float) -> float:
        return self.top + self.height - (value - self.low) / (self.high - self.low) * self.height


def value_range(series: Sequence[Series], *, stacked: bool) -> tuple[float, float]:
    values = [v for s in series for v in s.values if present(v)]
    if stacked and series:
        length = max(len(s.values) for s in series)
        sums_up = [sum(max(value_at(s, i), 0) for s in series) for i in range(length)]
        sums_down = [sum(min(value_at(s, i), 0) for s in series) for i in range(length)]
        values = sums_up + sums_down
    low = min([0.0, *values])
    high = max([0.0, *values])
    return low, high


def value_at(series: Series, index: int) -> float:
    value = series.values[index] if index < len(series.values) else None
    return float(value) if present(value) else 0.0


def no_data(frame: Frame, series: Sequence[Series]) -> list[str]:
    """Say so in the drawing when there is nothing to draw, rather than show a bare axis."""
    if any(present(v) for s in series for v in s.values):
        return []
    return [
        f'<text x="{num(frame.left + frame.width / 2)}" y="{num(frame.top + frame.height / 2)}" '
        f'text-anchor="middle" fill="{MUTED}" font-style="italic">{escape(_("No figures yet"))}</text>'
    ]


def y_axis(frame: Frame, ticks: list[float], fmt: Callable[[float | None], str]) -> list[str]:
    parts = ['<g aria-hidden="true">']
    for tick in ticks:
        y = frame.y(tick)
        colour = MUTED if tick == 0 else GRID
        parts.append(
            f'<line x1="{num(frame.left)}" y1="{num(y)}" x2="{num(frame.left + frame.width)}" y2="{num(y)}" '
            f'stroke="{colour}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{num(frame.left - 8)}" y="{num(y + 4)}" text-anchor="end" fill="{MUTED}" font-size="12">'
            f"{escape(fmt(tick))}</text>"
        )
    parts.append("</g>")
    return parts


def category_labels(
    frame: Frame, categories: Sequence[str], centre: Callable[[int], float], *, highlight: str | None = None
) -> tuple[list[str], float]:
    """Category names under the plot; rotated when they would overlap. Returns markup and height used."""
    slot = frame.width / max(len(categories), 1)
    longest = max((len(c) for c in categories), default=0)
    rotate = longest * 7 > slot
    base = frame.top + frame.height
    parts = ['<g aria-hidden="true">']
    for index, name in enumerate(categories):
        x = centre(index)
        weight = ' font-weight="bold"' if highlight is not None and name == highlight else ""
        if rotate:
            parts.append(
                f'<text x="{num(x)}" y="{num(base + 14)}" text-anchor="end" font-size="12"{weight} '
                f'transform="rotate(-45 {num(x)} {num(base + 14)})">{escape(name)}</text>'
            )
        else:
            parts.append(
                f'<text x="{num(x)}" y="{num(base + 18)}" text-anchor="middle" font-size="12"{weight}>'
                f"{escape(name)}</text>"
            )
    parts.append("</g>")
    height = min(longest, 24) * 5.2 + 24 if rotate else 28
    return parts, height


def data_table(
    categories: Sequence[str], series: Sequence[Series], fmt: Callable[[float | None], str], category_name: str
) -> tuple[list[str], list[list[str]]]:
    headers = [category_name or _("Category"), *(s.name for s in series)]
    rows = [
        [name, *(fmt(s.values[i] if i < len(s.values) else None) for s in series)] for i, name in enumerate(categories)
    ]
    return headers, rows


def frame_for(
    series: Sequence[Series], *, stacked: bool, top: float, fmt: Callable[[float | None], str]
) -> tuple[Frame, list[float]]:
    low, high = value_range(series, stacked=stacked)
    ticks = tick_values(low, high, fmt)
    frame = Frame(
        top=top,
        left=MARGIN_LEFT,
        width=WIDTH - MARGIN_LEFT - MARGIN_RIGHT,
        height=PLOT_HEIGHT,
        low=ticks[0],
        high=ticks[-1],
    )
    return frame, ticks


def truncate(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
