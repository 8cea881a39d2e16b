"""Bar charts: grouped or stacked bars per category."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.utils.html import escape

from common.charts.frame import (
    HIGHLIGHT_BAND,
    PALETTE,
    TEXT,
    TITLE_HEIGHT,
    WIDTH,
    Chart,
    Frame,
    Series,
    category_labels,
    chart_ids,
    data_table,
    formatter,
    frame_for,
    legend_rows,
    no_data,
    num,
    present,
    svg_document,
    y_axis,
)


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
    chart_id = f"chart-{next(chart_ids)}"
    fmt = formatter(value_format)
    legend, legend_height = legend_rows([s.name for s in series], y=TITLE_HEIGHT)
    frame, ticks = frame_for(series, stacked=stacked, top=TITLE_HEIGHT + legend_height + 8, fmt=fmt)
    slot = frame.width / max(len(categories), 1)

    def centre(index: int) -> float:
        return frame.left + slot * (index + 0.5)

    body = [*legend]
    if highlight is not None and highlight in categories:
        index = list(categories).index(highlight)
        body.append(
            f'<rect x="{num(frame.left + slot * index)}" y="{num(frame.top)}" width="{num(slot)}" '
            f'height="{num(frame.height)}" fill="{HIGHLIGHT_BAND}" aria-hidden="true"/>'
        )
    body += y_axis(frame, ticks, fmt)
    body += no_data(frame, series)
    body += _bars(frame, categories, series, slot=slot, stacked=stacked, highlight=highlight, fmt=fmt)
    labels, labels_height = category_labels(frame, categories, centre, highlight=highlight)
    body += labels
    height = frame.top + frame.height + labels_height + 4
    svg = svg_document(chart_id=chart_id, title=title, description=description, width=WIDTH, height=height, body=body)
    headers, rows = data_table(categories, series, fmt, category_name)
    return Chart(title=title, description=description, svg=svg, headers=headers, rows=rows)


def _bars(
    frame: Frame,
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
            if not present(value):
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
                f'<rect x="{num(x)}" y="{num(top)}" width="{num(max(bar_width - 1, 1))}" '
                f'height="{num(height)}" fill="{colour}"{stroke}><title>{escape(label)}</title></rect>'
            )
    return parts
