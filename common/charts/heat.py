"""Heat maps: a table of values shaded from low to high."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.utils.html import escape
from django.utils.translation import gettext as _

from common.charts.frame import (
    GRID,
    MUTED,
    TEXT,
    TITLE_HEIGHT,
    WIDTH,
    Chart,
    chart_ids,
    formatter,
    num,
    present,
    svg_document,
    truncate,
)

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
    chart_id = f"chart-{next(chart_ids)}"
    fmt = formatter(value_format)
    label_width = min(max((len(r) for r in rows), default=4) * 7.4 + 12, 200)
    top = TITLE_HEIGHT + 50
    notes_width = 70 if row_notes else 0
    cell = (WIDTH - label_width - notes_width) / max(len(columns), 1)
    body = [_heat_legend(low, high, fmt, y=TITLE_HEIGHT + 4)]
    body += [
        f'<text x="{num(label_width + cell * (i + 0.5))}" y="{num(top - 6)}" text-anchor="middle" font-size="11" '
        f'fill="{MUTED}" aria-hidden="true">{escape(column)}</text>'
        for i, column in enumerate(columns)
    ]
    for r, name in enumerate(rows):
        y = top + r * HEAT_CELL_HEIGHT
        weight = ' font-weight="bold"' if highlight is not None and name == highlight else ""
        text_y = num(y + HEAT_CELL_HEIGHT / 2 + 4.5)
        body.append(f'<text x="0" y="{text_y}"{weight}>{escape(truncate(name, 26))}</text>')
        if r < len(row_notes):
            body.append(
                f'<text x="{num(WIDTH - notes_width + 6)}" y="{text_y}" font-size="11" fill="{MUTED}"{weight}>'
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
    svg = svg_document(chart_id=chart_id, title=title, description=description, width=WIDTH, height=height, body=body)
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
    box = f'x="{num(x + 1)}" y="{num(y + 1)}" width="{num(width - 2)}" height="{HEAT_CELL_HEIGHT - 2}"'
    if not present(value):
        return f'<rect {box} fill="#ffffff" stroke="{GRID}"/>'
    fill, white = _heat_colour(float(value), low, high)
    text_colour = "#ffffff" if white else TEXT
    return (
        f'<g><title>{escape(f"{label}: {fmt(value)}")}</title><rect {box} fill="{fill}"/>'
        f'<text x="{num(x + width / 2)}" y="{num(y + HEAT_CELL_HEIGHT / 2 + 4)}" text-anchor="middle" '
        f'font-size="11" fill="{text_colour}">{escape(fmt(value))}</text></g>'
    )


def _heat_legend(low: float, high: float, fmt: Callable[[float | None], str], *, y: float) -> str:
    steps = 5
    parts = ['<g aria-hidden="true">']
    for i in range(steps):
        value = low + (high - low) * i / (steps - 1)
        fill, white = _heat_colour(value, low, high)
        x = i * 56
        parts.append(f'<rect x="{num(x)}" y="{num(y)}" width="54" height="16" fill="{fill}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{num(x + 27)}" y="{num(y + 12)}" text-anchor="middle" font-size="11" '
            f'fill="{"#ffffff" if white else TEXT}">{escape(fmt(value))}</text>'
        )
    parts.append("</g>")
    return "".join(parts)
