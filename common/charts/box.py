"""Box plots: one row per group, with a marker for one value."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.utils.html import escape
from django.utils.translation import gettext as _

from common.charts.frame import (
    BOX_LABEL_WIDTH,
    BOX_ROW,
    LEGEND_ROW,
    MARGIN_RIGHT,
    MISSING,
    MUTED,
    PALETTE,
    TEXT,
    TITLE_HEIGHT,
    WIDTH,
    Box,
    Chart,
    chart_ids,
    formatter,
    marker_svg,
    num,
    present,
    svg_document,
    tick_values,
    truncate,
)


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
    chart_id = f"chart-{next(chart_ids)}"
    fmt = formatter(value_format)
    marker_label = marker_name or _("Value")
    left = BOX_LABEL_WIDTH
    right = WIDTH - MARGIN_RIGHT - 48
    top = TITLE_HEIGHT + 8
    body: list[str] = []
    if any(present(b.marker) for b in boxes):
        body += _box_legend(marker_label, y=top, whiskers=any(b.has_whiskers for b in boxes))
        top += LEGEND_ROW
    for index, box in enumerate(boxes):
        y = top + index * BOX_ROW
        body += _box_row(box, y=y, left=left, right=right, scale=scale, fmt=fmt, marker_label=marker_label)
    height = top + len(boxes) * BOX_ROW + 8
    if scale is not None:
        body += _box_axis(scale, y=height, left=left, right=right, fmt=fmt)
        height += 30
    svg = svg_document(chart_id=chart_id, title=title, description=description, width=WIDTH, height=height, body=body)
    # Columns no row fills are left out: a table of empty minimums would still say there is one.
    columns = [
        (header, attribute)
        for header, attribute in (
            (_("Minimum"), "minimum"),
            (_("Lower quartile"), "q1"),
            (_("Median"), "median"),
            (_("Upper quartile"), "q3"),
            (_("Maximum"), "maximum"),
        )
        if attribute == "median" or any(present(getattr(b, attribute)) for b in boxes)
    ]
    headers = [_("Item"), *(header for header, _attribute in columns), marker_label, _("Note")]
    rows = [
        [b.label, *(fmt(getattr(b, attribute)) for _header, attribute in columns), fmt(b.marker), b.note] for b in boxes
    ]
    return Chart(title=title, description=description, svg=svg, headers=headers, rows=rows)


def _box_legend(marker_label: str, *, y: float, whiskers: bool) -> list[str]:
    meaning = _("Middle half, median and range") if whiskers else _("Middle half and median")
    diamond = marker_svg(3, 8, y + 8, PALETTE[5], size=1.5)
    return [
        '<g aria-hidden="true">',
        diamond,
        f'<text x="18" y="{num(y + 12.5)}">{escape(marker_label)}</text>',
        f'<rect x="{num(18 + 7.2 * len(marker_label) + 24)}" y="{num(y + 2)}" width="22" height="12" '
        f'fill="{PALETTE[4]}" fill-opacity="0.35" stroke="{PALETTE[0]}"/>',
        f'<text x="{num(18 + 7.2 * len(marker_label) + 54)}" y="{num(y + 12.5)}">{escape(meaning)}</text>',
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
        f'<text x="0" y="{num(middle + 4.5)}">{escape(truncate(box.label, 30))}<title>{escape(box.label)}'
        "</title></text>"
    ]
    if not box.has_figures:
        parts.append(
            f'<text x="{num(left)}" y="{num(middle + 4.5)}" fill="{MUTED}" font-style="italic">'
            f"{escape(box.note or MISSING)}</text>"
        )
        return parts
    figures = {
        name: float(v)
        for name, v in (
            ("minimum", box.minimum),
            ("q1", box.q1),
            ("median", box.median),
            ("q3", box.q3),
            ("maximum", box.maximum),
        )
        if present(v)
    }
    marker = float(box.marker) if present(box.marker) else None
    ends = [*figures.values(), *([marker] if marker is not None else [])]
    low, high = scale if scale is not None else (min(ends), max(ends))
    if high == low:
        low, high = low - 1, high + 1

    def x(value: float) -> float:
        return left + (min(max(value, low), high) - low) / (high - low) * (right - left)

    summary = f"{box.label}: " + ", ".join(
        f"{name} {fmt(figures[key])}"
        for key, name in (
            ("minimum", _("minimum")),
            ("q1", _("lower quartile")),
            ("median", _("median")),
            ("q3", _("upper quartile")),
            ("maximum", _("maximum")),
        )
        if key in figures
    )
    parts += [f"<g><title>{escape(summary)}</title>"]
    if box.has_whiskers:
        minimum, maximum = x(figures["minimum"]), x(figures["maximum"])
        parts += [
            f'<line x1="{num(minimum)}" y1="{num(middle)}" x2="{num(maximum)}" y2="{num(middle)}" '
            f'stroke="{PALETTE[0]}" stroke-width="1.5"/>',
            f'<line x1="{num(minimum)}" y1="{num(middle - 7)}" x2="{num(minimum)}" y2="{num(middle + 7)}" '
            f'stroke="{PALETTE[0]}" stroke-width="1.5"/>',
            f'<line x1="{num(maximum)}" y1="{num(middle - 7)}" x2="{num(maximum)}" y2="{num(middle + 7)}" '
            f'stroke="{PALETTE[0]}" stroke-width="1.5"/>',
        ]
    if box.has_box:
        q1, q3 = x(figures["q1"]), x(figures["q3"])
        parts.append(
            f'<rect x="{num(q1)}" y="{num(middle - 11)}" width="{num(max(q3 - q1, 1))}" height="22" '
            f'fill="{PALETTE[4]}" fill-opacity="0.35" stroke="{PALETTE[0]}" stroke-width="1.5"/>'
        )
    median = x(figures["median"])
    parts += [
        f'<line x1="{num(median)}" y1="{num(middle - 11)}" x2="{num(median)}" y2="{num(middle + 11)}" '
        f'stroke="{TEXT}" stroke-width="2.5"/>',
        "</g>",
    ]
    if marker is not None:
        parts.append(
            marker_svg(
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
            f'<text x="{num(left)}" y="{num(middle + 24)}" font-size="11" fill="{MUTED}" aria-hidden="true">'
            f"{escape(fmt(low))}</text>",
            f'<text x="{num(right)}" y="{num(middle + 24)}" font-size="11" fill="{MUTED}" text-anchor="end" '
            f'aria-hidden="true">{escape(fmt(high))}</text>',
        ]
    if box.note:
        parts.append(
            f'<text x="{num(right + 8)}" y="{num(middle + 4.5)}" font-size="11" fill="{MUTED}">'
            f"{escape(truncate(box.note, 8))}<title>{escape(box.note)}</title></text>"
        )
    return parts


def _box_axis(
    scale: tuple[float, float], *, y: float, left: float, right: float, fmt: Callable[[float | None], str]
) -> list[str]:
    low, high = scale
    parts = [
        '<g aria-hidden="true">',
        f'<line x1="{num(left)}" y1="{num(y)}" x2="{num(right)}" y2="{num(y)}" stroke="{MUTED}"/>',
    ]
    for tick in tick_values(low, high, fmt):
        if tick < low or tick > high:
            continue
        x = left + (tick - low) / ((high - low) or 1) * (right - left)
        parts.append(f'<line x1="{num(x)}" y1="{num(y)}" x2="{num(x)}" y2="{num(y + 5)}" stroke="{MUTED}"/>')
        parts.append(
            f'<text x="{num(x)}" y="{num(y + 18)}" text-anchor="middle" font-size="12" fill="{MUTED}">'
            f"{escape(fmt(tick))}</text>"
        )
    parts.append("</g>")
    return parts
