"""The report's charts: what to draw from the figures. ``common.charts`` draws them, the same SVG for the page
and the PDF."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _

from assessments.benchmarking.disclosure import Figures
from assessments.benchmarking.figures import GroupFigure, SectionBenchmark, format_value, value_format
from assessments.benchmarking.groups import PeerGroup
from assessments.benchmarking.statistics import mean
from assessments.models import Indicator
from common.charts.bar import bar_chart
from common.charts.box import box_plot
from common.charts.frame import Box, Chart, Series

# The chart draws its title on one line of a 720-unit wide drawing.
TITLE_MAX = 76


def indicator_chart(indicator: Indicator, value: float | None, figures: list[GroupFigure]) -> Chart:
    """One box per group, drawn only from what the disclosure rule lets through: no whiskers (there is
    no minimum or maximum to draw), a box where quartiles are shown, a median line."""
    boxes = [
        Box(f.group.label, None, s.q1, s.median, s.q3, None, marker=value, note=f.note)
        if (s := f.summary)
        else Box(f.group.label, None, None, None, None, None, note=f.note)
        for f in figures
    ]
    return box_plot(
        title=chart_title(indicator),
        boxes=boxes,
        value_format=value_format(indicator),
        marker_name=_("This organisation"),
        description=indicator_description(indicator, value, figures),
        scale=common_scale(value, figures),
    )


def common_scale(value: float | None, figures: list[GroupFigure]) -> tuple[float, float] | None:
    """One scale for every group, starting at zero for counts and shares, so the boxes of one
    indicator compare at a glance. Its ends come from the figures shown and the organisation's own
    value only: an end drawn from a peer's answer would be that answer, rounded up.
    None leaves the scale to the drawing (nothing shown, or no span)."""
    shown = [n for f in figures if (s := f.summary) for n in (s.q1, s.median, s.q3) if n is not None]
    if not shown:
        return None
    ends = shown + ([value] if value is not None else [])
    scale = (min(0.0, *ends), nice_ceiling(max(ends)))
    return scale if scale[1] > scale[0] else None


def chart_title(indicator: Indicator) -> str:
    title = f"{indicator.code} {indicator.tr_title}"
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1].rstrip() + "…"


def nice_ceiling(value: float) -> float:
    """The next round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten) at or above
    a positive value, so the axis ends on a labelled tick."""
    if value <= 0:
        return value
    power = 10 ** math.floor(math.log10(value))
    return next(f * power for f in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if value <= f * power * (1 + 1e-9))


def indicator_description(indicator: Indicator, value: float | None, figures: list[GroupFigure]) -> str:
    """The chart in one or two sentences, for screen readers and as the printed caption."""
    parts = [
        _("%(indicator)s. This organisation: %(value)s.")
        % {"indicator": f"{indicator.code} {indicator.tr_title}", "value": format_value(indicator, value)}
    ]
    fmt = value_format(indicator)
    parts += [_figure_sentence(f, summary, fmt) for f in figures if (summary := f.summary) is not None]
    return " ".join(parts)


def _figure_sentence(figure: GroupFigure, summary: Figures, fmt: str) -> str:
    numbers = {"group": figure.group.label, "count": summary.count, "median": fmt.format(summary.median)}
    if summary.q1 is not None and summary.q3 is not None:
        text = _("%(group)s (%(count)d organisations): median %(median)s, middle half %(q1)s to %(q3)s") % {
            **numbers,
            "q1": fmt.format(summary.q1),
            "q3": fmt.format(summary.q3),
        }
    else:
        text = _("%(group)s (%(count)d organisations): median %(median)s") % numbers
    if figure.percentile is not None:
        text += _("; percentile %(p)s, %(standing)s") % {"p": f"{figure.percentile:.0f}", "standing": figure.standing}
    return text + "."


def profile_chart(sections: list[SectionBenchmark], groups: list[PeerGroup]) -> Chart:
    """The average percentile of the organisation in each of the six groups, per peer group."""
    series = [
        Series(group.label, [_mean_percentile(section, group.key) for section in sections])
        for group in groups
        if group.shown
    ]
    return bar_chart(
        title=_("Average percentile per indicator group"),
        categories=[section.section.code for section in sections],
        series=series or [Series(_("All benchmarked organisations"), [None] * len(sections))],
        value_format="{:.0f}",
        category_name=_("Indicator group"),
        description=_(
            "The organisation's average percentile over the numeric indicators of each group (%(groups)s), "
            "per peer group. 50 is the peers' middle; a high figure means larger values than most peers, "
            "which is not always better."
        )
        % {"groups": "; ".join(f"{s.section.code} {s.section.tr_title}" for s in sections)},
    )


def _mean_percentile(section: SectionBenchmark, key: str) -> float | None:
    return mean([f.percentile for row in section.indicators for f in row.figures if f.group.key == key])
