"""Charts drawn on the server as SVG: the same drawing for the page and the PDF.

No JavaScript and no chart library: each chart is built as an SVG string with
every label escaped, sized by a ``viewBox`` so it scales to its container, and
using only generic font families so WeasyPrint needs no web font. Each chart
carries its own text alternative (``headers``/``rows``) that the ``{% chart %}``
template tag shows as a data table for screen readers and for copying.

Colours come from the Okabe-Ito palette, which stays distinguishable for the
common forms of colour blindness; lines also differ by marker shape and dash so
that colour is never the only cue.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeGuard

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Okabe-Ito, without its yellow (too pale on white for thin lines and text).
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
_ids = itertools.count(1)


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
    both.
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
        return all(_present(v) for v in (self.minimum, self.q1, self.median, self.q3, self.maximum))


# --------------------------------------------------------------------------- helpers


def _present(value: float | None) -> TypeGuard[float]:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _formatter(value_format: str) -> Callable[[float | None], str]:
    def fmt(value: float | None) -> str:
        return value_format.format(value) if _present(value) else MISSING

    return fmt


def _num(value: float) -> str:
    """Coordinates with two decimals at most, so the markup stays small."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _nice_step(span: float, target_ticks: int = 5) -> float:
    """A 1, 2, 2.5 or 5 times a power of ten step giving about ``target_ticks`` ticks."""
    if span <= 0:
        return 1.0
    raw = span / target_ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _ticks(low: float, high: float, fmt: Callable[[float | None], str] | None = None) -> list[float]:
    """Round tick values covering [low, high]; the first and last are the axis ends.

    With ``fmt``, a step too fine for the format (0.5 printed as whole numbers)
    is widened to whole units, so no two ticks read the same.
    """
    if high == low:
        high = low + 1
    step = _nice_step(high - low)
    if fmt is not None and step < 1 and len({fmt(step * i) for i in range(3)}) < 3:
        step = 1.0
    start = math.floor(low / step) * step
    stop = math.ceil(high / step) * step
    count = round((stop - start) / step)
    return [start + i * step for i in range(count + 1)]


def _svg(*, chart_id: str, title: str, description: str, width: float, height: float, body: list[str]) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart-svg" id="{chart_id}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{escape(FONT)}" font-size="13" '
        f'fill="{TEXT}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description or title)}</desc>'
        f'<text x="0" y="18" font-size="15" font-weight="bold" aria-hidden="true">{escape(title)}</text>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # every label above and in body is escaped


def _legend(series_names: Sequence[str], *, y: float, shapes: bool = False) -> tuple[list[str], float]:
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
                f'<line x1="{_num(x)}" y1="{_num(cy)}" x2="{_num(x + 22)}" y2="{_num(cy)}" stroke="{colour}" '
                f'stroke-width="2.5"{_dash(index)}/>'
            )
            parts.append(_marker(index, x + 11, cy, colour))
        else:
            parts.append(f'<rect x="{_num(x)}" y="{_num(cy - 6)}" width="14" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{_num(x + 28)}" y="{_num(cy + 4.5)}">{escape(name)}</text>')
        x += item_width
    parts.append("</g>")
    return parts, (row + 1) * LEGEND_ROW + 6


def _dash(index: int) -> str:
    pattern = ("", "6 3", "2 3", "8 3 2 3")[(index // len(PALETTE) + index) % 4]
    return f' stroke-dasharray="{pattern}"' if pattern else ""


def _marker(index: int, x: float, y: float, colour: str, *, title: str = "", extra: str = "", size: float = 1.0) -> str:
    """Circle, square, triangle, diamond: a second cue besides colour. ``title`` is plain text."""
    shape = index % 4
    r = 4 * size
    if shape == 0:
        tag, attrs = "circle", f'cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}"'
    elif shape == 1:
        tag, attrs = "rect", f'x="{_num(x - r)}" y="{_num(y - r)}" width="{_num(2 * r)}" height="{_num(2 * r)}"'
    elif shape == 2:
        tag = "polygon"
        tip, foot = f"{_num(x)},{_num(y - 1.25 * r)}", f"{_num(y + r)}"
        attrs = f'points="{tip} {_num(x + 1.1 * r)},{foot} {_num(x - 1.1 * r)},{foot}"'
    else:
        tag, d = "polygon", 1.25 * r
        attrs = (
            f'points="{_num(x)},{_num(y - d)} {_num(x + d)},{_num(y)} {_num(x)},{_num(y + d)} {_num(x - d)},{_num(y)}"'
        )
    if not title:
        return f'<{tag} {attrs} fill="{colour}"{extra}/>'
    return f'<{tag} {attrs} fill="{colour}"{extra}><title>{escape(title)}</title></{tag}>'


@dataclass(frozen=True)
class _Frame:
    """The plot area of a chart with categories along x and values along y."""

    top: float
    left: float
    width: float
    height: float
    low: float
    high: float

    def y(self, value: float) -> float:
        return self.top + self.height - (value - self.low) / (self.high - self.low) * self.height


def _value_range(series: Sequence[Series], *, stacked: bool) -> tuple[float, float]:
    values = [v for s in series for v in s.values if _present(v)]
    if stacked and series:
        length = max(len(s.values) for s in series)
        sums_up = [sum(max(_at(s, i), 0) for s in series) for i in range(length)]
        sums_down = [sum(min(_at(s, i), 0) for s in series) for i in range(length)]
        values = sums_up + sums_down
    low = min([0.0, *values])
    high = max([0.0, *values])
    return low, high


def _at(series: Series, index: int) -> float:
    value = series.values[index] if index < len(series.values) else None
    return float(value) if _present(value) else 0.0


def _no_data(frame: _Frame, series: Sequence[Series]) -> list[str]:
    """Say so in the drawing when there is nothing to draw, rather than show a bare axis."""
    if any(_present(v) for s in series for v in s.values):
        return []
    return [
        f'<text x="{_num(frame.left + frame.width / 2)}" y="{_num(frame.top + frame.height / 2)}" '
        f'text-anchor="middle" fill="{MUTED}" font-style="italic">{escape(_("No figures yet"))}</text>'
    ]


def _y_axis(frame: _Frame, ticks: list[float], fmt: Callable[[float | None], str]) -> list[str]:
    parts = ['<g aria-hidden="true">']
    for tick in ticks:
        y = frame.y(tick)
        colour = MUTED if tick == 0 else GRID
        parts.append(
            f'<line x1="{_num(frame.left)}" y1="{_num(y)}" x2="{_num(frame.left + frame.width)}" y2="{_num(y)}" '
            f'stroke="{colour}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_num(frame.left - 8)}" y="{_num(y + 4)}" text-anchor="end" fill="{MUTED}" font-size="12">'
            f"{escape(fmt(tick))}</text>"
        )
    parts.append("</g>")
    return parts


def _category_labels(
    frame: _Frame, categories: Sequence[str], centre: Callable[[int], float], *, highlight: str | None = None
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
                f'<text x="{_num(x)}" y="{_num(base + 14)}" text-anchor="end" font-size="12"{weight} '
                f'transform="rotate(-45 {_num(x)} {_num(base + 14)})">{escape(name)}</text>'
            )
        else:
            parts.append(
                f'<text x="{_num(x)}" y="{_num(base + 18)}" text-anchor="middle" font-size="12"{weight}>'
                f"{escape(name)}</text>"
            )
    parts.append("</g>")
    height = min(longest, 24) * 5.2 + 24 if rotate else 28
    return parts, height


def _table(
    categories: Sequence[str], series: Sequence[Series], fmt: Callable[[float | None], str], category_name: str
) -> tuple[list[str], list[list[str]]]:
    headers = [category_name or _("Category"), *(s.name for s in series)]
    rows = [
        [name, *(fmt(s.values[i] if i < len(s.values) else None) for s in series)] for i, name in enumerate(categories)
    ]
    return headers, rows


def _frame_for(
    series: Sequence[Series], *, stacked: bool, top: float, fmt: Callable[[float | None], str]
) -> tuple[_Frame, list[float]]:
    low, high = _value_range(series, stacked=stacked)
    ticks = _ticks(low, high, fmt)
    frame = _Frame(
        top=top,
        left=MARGIN_LEFT,
        width=WIDTH - MARGIN_LEFT - MARGIN_RIGHT,
        height=PLOT_HEIGHT,
        low=ticks[0],
        high=ticks[-1],
    )
    return frame, ticks


# --------------------------------------------------------------------------- bar chart


def bar_chart(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    stacked: bool = False,
    value_format: str = "{:,.0f}",
    highlight: str | None = None,
    description: str = "",
    category_name: str = "",
) -> Chart:
    """Vertical bars, one group (or stack) per category; ``highlight`` names a category to emphasise.

    ``None`` values draw no bar and read as an en dash in the table.
    """
    chart_id = f"chart-{next(_ids)}"
    fmt = _formatter(value_format)
    legend, legend_height = _legend([s.name for s in series], y=TITLE_HEIGHT)
    frame, ticks = _frame_for(series, stacked=stacked, top=TITLE_HEIGHT + legend_height + 8, fmt=fmt)
    slot = frame.width / max(len(categories), 1)

    def centre(index: int) -> float:
        return frame.left + slot * (index + 0.5)

    body = [*legend]
    if highlight is not None and highlight in categories:
        index = list(categories).index(highlight)
        body.append(
            f'<rect x="{_num(frame.left + slot * index)}" y="{_num(frame.top)}" width="{_num(slot)}" '
            f'height="{_num(frame.height)}" fill="{HIGHLIGHT_BAND}" aria-hidden="true"/>'
        )
    body += _y_axis(frame, ticks, fmt)
    body += _no_data(frame, series)
    body += _bars(frame, categories, series, slot=slot, stacked=stacked, highlight=highlight, fmt=fmt)
    labels, labels_height = _category_labels(frame, categories, centre, highlight=highlight)
    body += labels
    height = frame.top + frame.height + labels_height + 4
    svg = _svg(chart_id=chart_id, title=title, description=description, width=WIDTH, height=height, body=body)
    headers, rows = _table(categories, series, fmt, category_name)
    return Chart(title=title, description=description, svg=svg, headers=headers, rows=rows)


def _bars(
    frame: _Frame,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    slot: float,
    stacked: bool,
    highlight: str | None,
    fmt: Callable[[float | None], str],
) -> list[str]:
    parts: list[str] = []
    inner = slot * 0.72
    bar_width = inner if stacked else inner / max(len(series), 1)
    zero = frame.y(0)
    for index, category in enumerate(categories):
        emphasised = highlight is not None and category == highlight
        stroke = f' stroke="{TEXT}" stroke-width="2"' if emphasised else ""
        start = frame.left + slot * index + (slot - inner) / 2
        up, down = 0.0, 0.0
        for number, s in enumerate(series):
            value = s.values[index] if index < len(s.values) else None
            if not _present(value):
                continue
            value = float(value)
            if stacked:
                base = up if value >= 0 else down
                y_from, y_to = frame.y(base), frame.y(base + value)
                x = start
                up, down = (up + value, down) if value >= 0 else (up, down + value)
            else:
                y_from, y_to = zero, frame.y(value)
                x = start + bar_width * number
            top, height = min(y_from, y_to), abs(y_from - y_to)
            colour = PALETTE[number % len(PALETTE)]
            label = f"{category}, {s.name}: {fmt(value)}" if len(series) > 1 else f"{category}: {fmt(value)}"
            parts.append(
                f'<rect x="{_num(x)}" y="{_num(top)}" width="{_num(max(bar_width - 1, 1))}" '
                f'height="{_num(height)}" fill="{colour}"{stroke}><title>{escape(label)}</title></rect>'
            )
    return parts


# --------------------------------------------------------------------------- line chart


def line_chart(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    value_format: str = "{:,.0f}",
    description: str = "",
    category_name: str = "",
) -> Chart:
    """One line per series over ordered categories (years); a ``None`` value leaves a gap."""
    chart_id = f"chart-{next(_ids)}"
    fmt = _formatter(value_format)
    legend, legend_height = _legend([s.name for s in series], y=TITLE_HEIGHT, shapes=True)
    frame, ticks = _frame_for(series, stacked=False, top=TITLE_HEIGHT + legend_height + 8, fmt=fmt)
    slot = frame.width / max(len(categories), 1)

    def centre(index: int) -> float:
        return frame.left + slot * (index + 0.5)

    body = [*legend, *_y_axis(frame, ticks, fmt), *_no_data(frame, series)]
    for number, s in enumerate(series):
        body += _line(frame, categories, s, number=number, centre=centre, fmt=fmt)
    labels, labels_height = _category_labels(frame, categories, centre)
    body += labels
    height = frame.top + frame.height + labels_height + 4
    svg = _svg(chart_id=chart_id, title=title, description=description, width=WIDTH, height=height, body=body)
    headers, rows = _table(categories, series, fmt, category_name)
    return Chart(title=title, description=description, svg=svg, headers=headers, rows=rows)


def _line(
    frame: _Frame,
    categories: Sequence[str],
    series: Series,
    *,
    number: int,
    centre: Callable[[int], float],
    fmt: Callable[[float | None], str],
) -> list[str]:
    colour = PALETTE[number % len(PALETTE)]
    runs: list[list[tuple[float, float]]] = [[]]
    points: list[str] = []
    for index, category in enumerate(categories):
        value = series.values[index] if index < len(series.values) else None
        if not _present(value):
            if runs[-1]:
                runs.append([])
            continue
        x, y = centre(index), frame.y(float(value))
        runs[-1].append((x, y))
        points.append(_marker(number, x, y, colour, title=f"{category}, {series.name}: {fmt(value)}"))
    parts = []
    for run in runs:
        if len(run) > 1:
            coords = " ".join(f"{_num(x)},{_num(y)}" for x, y in run)
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2.5" '
                f'stroke-linejoin="round"{_dash(number)}/>'
            )
    return parts + points


# --------------------------------------------------------------------------- box plot


def box_plot(
    *,
    title: str,
    boxes: Sequence[Box],
    value_format: str = "{:,.1f}",
    marker_name: str = "",
    description: str = "",
    scale: tuple[float, float] | None = None,
) -> Chart:
    """Horizontal box-and-whisker rows; the marker (the organisation's own value) is a diamond.

    Without ``scale`` each row is drawn on its own scale (its ends are labelled),
    since rows may measure different things; with ``scale=(low, high)`` all rows
    share it and one axis is drawn at the bottom.
    """
    chart_id = f"chart-{next(_ids)}"
    fmt = _formatter(value_format)
    marker_label = marker_name or _("Value")
    left = BOX_LABEL_WIDTH
    right = WIDTH - MARGIN_RIGHT - 48
    top = TITLE_HEIGHT + 8
    body: list[str] = []
    if any(_present(b.marker) for b in boxes):
        body += _box_legend(marker_label, y=top)
        top += LEGEND_ROW
    for index, box in enumerate(boxes):
        y = top + index * BOX_ROW
        body += _box_row(box, y=y, left=left, right=right, scale=scale, fmt=fmt, marker_label=marker_label)
    height = top + len(boxes) * BOX_ROW + 8
    if scale is not None:
        body += _box_axis(scale, y=height, left=left, right=right, fmt=fmt)
        height += 30
    svg = _svg(chart_id=chart_id, title=title, description=description, width=WIDTH, height=height, body=body)
    headers = [_("Item"), _("Minimum"), _("Lower quartile"), _("Median"), _("Upper quartile"), _("Maximum")]
    headers += [marker_label, _("Note")]
    rows = [
        [b.label, *(fmt(v) for v in (b.minimum, b.q1, b.median, b.q3, b.maximum)), fmt(b.marker), b.note] for b in boxes
    ]
    return Chart(title=title, description=description, svg=svg, headers=headers, rows=rows)


def _box_legend(marker_label: str, *, y: float) -> list[str]:
    diamond = _marker(3, 8, y + 8, PALETTE[5], size=1.5)
    return [
        '<g aria-hidden="true">',
        diamond,
        f'<text x="18" y="{_num(y + 12.5)}">{escape(marker_label)}</text>',
        f'<rect x="{_num(18 + 7.2 * len(marker_label) + 24)}" y="{_num(y + 2)}" width="22" height="12" '
        f'fill="{PALETTE[4]}" fill-opacity="0.35" stroke="{PALETTE[0]}"/>',
        f'<text x="{_num(18 + 7.2 * len(marker_label) + 54)}" y="{_num(y + 12.5)}">'
        f"{escape(_('Middle half, median and range'))}</text>",
        "</g>",
    ]


def _box_row(
    box: Box,
    *,
    y: float,
    left: float,
    right: float,
    scale: tuple[float, float] | None,
    fmt: Callable[[float | None], str],
    marker_label: str,
) -> list[str]:
    middle = y + BOX_ROW / 2
    parts = [
        f'<text x="0" y="{_num(middle + 4.5)}">{escape(_truncate(box.label, 30))}<title>{escape(box.label)}'
        "</title></text>"
    ]
    if not box.has_figures:
        parts.append(
            f'<text x="{_num(left)}" y="{_num(middle + 4.5)}" fill="{MUTED}" font-style="italic">'
            f"{escape(box.note or MISSING)}</text>"
        )
        return parts
    # All five are present (has_figures): the filter only tells the type checker so.
    figures = [float(v) for v in (box.minimum, box.q1, box.median, box.q3, box.maximum) if _present(v)]
    marker = float(box.marker) if _present(box.marker) else None
    low, high = (
        scale
        if scale is not None
        else (
            min([*figures, *([marker] if marker is not None else [])]),
            max([*figures, *([marker] if marker is not None else [])]),
        )
    )
    if high == low:
        low, high = low - 1, high + 1

    def x(value: float) -> float:
        return left + (min(max(value, low), high) - low) / (high - low) * (right - left)

    minimum, q1, median, q3, maximum = (x(v) for v in figures)
    summary = (
        f"{box.label}: {_('minimum')} {fmt(figures[0])}, {_('median')} {fmt(figures[2])}, "
        f"{_('maximum')} {fmt(figures[4])}"
    )
    parts += [
        f"<g><title>{escape(summary)}</title>",
        f'<line x1="{_num(minimum)}" y1="{_num(middle)}" x2="{_num(maximum)}" y2="{_num(middle)}" '
        f'stroke="{PALETTE[0]}" stroke-width="1.5"/>',
        f'<line x1="{_num(minimum)}" y1="{_num(middle - 7)}" x2="{_num(minimum)}" y2="{_num(middle + 7)}" '
        f'stroke="{PALETTE[0]}" stroke-width="1.5"/>',
        f'<line x1="{_num(maximum)}" y1="{_num(middle - 7)}" x2="{_num(maximum)}" y2="{_num(middle + 7)}" '
        f'stroke="{PALETTE[0]}" stroke-width="1.5"/>',
        f'<rect x="{_num(q1)}" y="{_num(middle - 11)}" width="{_num(max(q3 - q1, 1))}" height="22" '
        f'fill="{PALETTE[4]}" fill-opacity="0.35" stroke="{PALETTE[0]}" stroke-width="1.5"/>',
        f'<line x1="{_num(median)}" y1="{_num(middle - 11)}" x2="{_num(median)}" y2="{_num(middle + 11)}" '
        f'stroke="{TEXT}" stroke-width="2.5"/>',
        "</g>",
    ]
    if marker is not None:
        parts.append(
            _marker(
                3,
                x(marker),
                middle,
                PALETTE[5],
                title=f"{marker_label}: {fmt(marker)}",
                extra=' stroke="#ffffff"',
                size=1.8,
            )
        )
    if scale is None:
        parts += [
            f'<text x="{_num(left)}" y="{_num(middle + 24)}" font-size="11" fill="{MUTED}" aria-hidden="true">'
            f"{escape(fmt(low))}</text>",
            f'<text x="{_num(right)}" y="{_num(middle + 24)}" font-size="11" fill="{MUTED}" text-anchor="end" '
            f'aria-hidden="true">{escape(fmt(high))}</text>',
        ]
    if box.note:
        parts.append(
            f'<text x="{_num(right + 8)}" y="{_num(middle + 4.5)}" font-size="11" fill="{MUTED}">'
            f"{escape(_truncate(box.note, 8))}<title>{escape(box.note)}</title></text>"
        )
    return parts


def _box_axis(
    scale: tuple[float, float], *, y: float, left: float, right: float, fmt: Callable[[float | None], str]
) -> list[str]:
    low, high = scale
    parts = [
        '<g aria-hidden="true">',
        f'<line x1="{_num(left)}" y1="{_num(y)}" x2="{_num(right)}" y2="{_num(y)}" stroke="{MUTED}"/>',
    ]
    for tick in _ticks(low, high, fmt):
        if tick < low or tick > high:
            continue
        x = left + (tick - low) / ((high - low) or 1) * (right - left)
        parts.append(f'<line x1="{_num(x)}" y1="{_num(y)}" x2="{_num(x)}" y2="{_num(y + 5)}" stroke="{MUTED}"/>')
        parts.append(
            f'<text x="{_num(x)}" y="{_num(y + 18)}" text-anchor="middle" font-size="12" fill="{MUTED}">'
            f"{escape(fmt(tick))}</text>"
        )
    parts.append("</g>")
    return parts


def _truncate(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


# --------------------------------------------------------------------------- heat map

HEAT_LOW = (213, 94, 0)  # Okabe-Ito vermillion: the low end stands out
HEAT_MID = (247, 247, 247)
HEAT_HIGH = (0, 114, 178)  # Okabe-Ito blue
HEAT_CELL_HEIGHT = 26


def heatmap(
    *,
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float | None]],
    value_format: str = "{:,.0f}",
    low: float = 0.0,
    high: float = 100.0,
    description: str = "",
    row_name: str = "",
    row_notes: Sequence[str] = (),
    notes_name: str = "",
    highlight: str | None = None,
) -> Chart:
    """A grid of rows (countries) by columns (years), each cell coloured from ``low``
    (vermillion) through white to ``high`` (blue) and printed with its value.

    Orange against blue stays apart for the common colour blindnesses, and every
    cell also prints its figure. ``None`` leaves a cell empty (no figure).
    ``row_notes`` (one short text per row, such as "0 of 5") print at the right
    and form the table's last column, headed ``notes_name``; ``highlight`` names
    a row drawn in bold.
    """
    chart_id = f"chart-{next(_ids)}"
    fmt = _formatter(value_format)
    label_width = min(max((len(r) for r in rows), default=4) * 7.4 + 12, 200)
    top = TITLE_HEIGHT + 50
    notes_width = 70 if row_notes else 0
    cell = (WIDTH - label_width - notes_width) / max(len(columns), 1)
    body = [_heat_legend(low, high, fmt, y=TITLE_HEIGHT + 4)]
    body += [
        f'<text x="{_num(label_width + cell * (i + 0.5))}" y="{_num(top - 6)}" text-anchor="middle" font-size="11" '
        f'fill="{MUTED}" aria-hidden="true">{escape(column)}</text>'
        for i, column in enumerate(columns)
    ]
    for r, name in enumerate(rows):
        y = top + r * HEAT_CELL_HEIGHT
        weight = ' font-weight="bold"' if highlight is not None and name == highlight else ""
        text_y = _num(y + HEAT_CELL_HEIGHT / 2 + 4.5)
        body.append(f'<text x="0" y="{text_y}"{weight}>{escape(_truncate(name, 26))}</text>')
        if r < len(row_notes):
            body.append(
                f'<text x="{_num(WIDTH - notes_width + 6)}" y="{text_y}" font-size="11" fill="{MUTED}"{weight}>'
                f"{escape(row_notes[r])}</text>"
            )
        line = values[r] if r < len(values) else []
        for c, column in enumerate(columns):
            value = line[c] if c < len(line) else None
            body.append(
                _heat_cell(
                    value,
                    x=label_width + c * cell,
                    y=y,
                    width=cell,
                    low=low,
                    high=high,
                    fmt=fmt,
                    label=f"{name}, {column}",
                )
            )
    height = top + len(rows) * HEAT_CELL_HEIGHT + 8
    svg = _svg(chart_id=chart_id, title=title, description=description, width=WIDTH, height=height, body=body)
    headers = [row_name or _("Category"), *columns, *([notes_name] if row_notes else [])]
    table = [
        [
            name,
            *(fmt(values[r][c] if r < len(values) and c < len(values[r]) else None) for c in range(len(columns))),
            *([row_notes[r] if r < len(row_notes) else ""] if row_notes else []),
        ]
        for r, name in enumerate(rows)
    ]
    return Chart(title=title, description=description, svg=svg, headers=headers, rows=table)


def _heat_colour(value: float, low: float, high: float) -> tuple[str, bool]:
    """The cell's fill and whether its text should be white (on a dark fill)."""
    share = 0.5 if high == low else min(max((value - low) / (high - low), 0.0), 1.0)
    start, end, t = (HEAT_LOW, HEAT_MID, share * 2) if share < 0.5 else (HEAT_MID, HEAT_HIGH, share * 2 - 1)
    rgb = tuple(round(a + (b - a) * t) for a, b in zip(start, end, strict=True))
    darkness = abs(share - 0.5) * 2
    return "#{:02x}{:02x}{:02x}".format(*rgb), darkness > 0.6


def _heat_cell(
    value: float | None,
    *,
    x: float,
    y: float,
    width: float,
    low: float,
    high: float,
    fmt: Callable[[float | None], str],
    label: str,
) -> str:
    box = f'x="{_num(x + 1)}" y="{_num(y + 1)}" width="{_num(width - 2)}" height="{HEAT_CELL_HEIGHT - 2}"'
    if not _present(value):
        return f'<rect {box} fill="#ffffff" stroke="{GRID}"/>'
    fill, white = _heat_colour(float(value), low, high)
    text_colour = "#ffffff" if white else TEXT
    return (
        f'<g><title>{escape(f"{label}: {fmt(value)}")}</title><rect {box} fill="{fill}"/>'
        f'<text x="{_num(x + width / 2)}" y="{_num(y + HEAT_CELL_HEIGHT / 2 + 4)}" text-anchor="middle" '
        f'font-size="11" fill="{text_colour}">{escape(fmt(value))}</text></g>'
    )


def _heat_legend(low: float, high: float, fmt: Callable[[float | None], str], *, y: float) -> str:
    steps = 5
    parts = ['<g aria-hidden="true">']
    for i in range(steps):
        value = low + (high - low) * i / (steps - 1)
        fill, white = _heat_colour(value, low, high)
        x = i * 56
        parts.append(f'<rect x="{_num(x)}" y="{_num(y)}" width="54" height="16" fill="{fill}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{_num(x + 27)}" y="{_num(y + 12)}" text-anchor="middle" font-size="11" '
            f'fill="{"#ffffff" if white else TEXT}">{escape(fmt(value))}</text>'
        )
    parts.append("</g>")
    return "".join(parts)
