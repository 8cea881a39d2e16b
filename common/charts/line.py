"""Line charts: one line per series over categories."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from common.charts.frame import (
    PALETTE,
    TITLE_HEIGHT,
    WIDTH,
    Chart,
    Frame,
    Series,
    category_labels,
    chart_ids,
    dash_pattern,
    data_table,
    formatter,
    frame_for,
    legend_rows,
    marker_svg,
    no_data,
    num,
    present,
    svg_document,
    y_axis,
)


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
    chart_id = f"chart-{next(chart_ids)}"
    fmt = formatter(value_format)
    legend, legend_height = legend_rows([s.name for s in series], y=TITLE_HEIGHT, shapes=True)
    frame, ticks = frame_for(series, stacked=False, top=TITLE_HEIGHT + legend_height + 8, fmt=fmt)
    slot = frame.width / max(len(categories), 1)

    def centre(index: int) -> float:
        return frame.left + slot * (index + 0.5)

    body = [*legend, *y_axis(frame, ticks, fmt), *no_data(frame, series)]
    for number, s in enumerate(series):
        body += _line(frame, categories, s, number=number, centre=centre, fmt=fmt)
    labels, labels_height = category_labels(frame, categories, centre)
    body += labels
    height = frame.top + frame.height + labels_height + 4
    svg = svg_document(chart_id=chart_id, title=title, description=description, width=WIDTH, height=height, body=body)
    headers, rows = data_table(categories, series, fmt, category_name)
    return Chart(title=title, description=description, svg=svg, headers=headers, rows=rows)


def _line(
    frame: Frame,
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
        if not present(value):
            if runs[-1]:
                runs.append([])
            continue
        x, y = centre(index), frame.y(float(value))
        runs[-1].append((x, y))
        points.append(marker_svg(number, x, y, colour, title=f"{category}, {series.name}: {fmt(value)}"))
    parts = []
    for run in runs:
        if len(run) > 1:
            coords = " ".join(f"{num(x)},{num(y)}" for x, y in run)
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2.5" '
                f'stroke-linejoin="round"{dash_pattern(number)}/>'
            )
    return parts + points
