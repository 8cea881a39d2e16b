"""The report's rows: one peer group's figures on one indicator, an indicator's row, a section, and how
their numbers are written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from assessments.benchmarking.disclosure import Disclosed, Figures, disclose
from assessments.benchmarking.groups import PeerGroup
from assessments.benchmarking.statistics import share_below
from assessments.enums import AnswerType
from assessments.models import Indicator, Section
from common.charts.frame import Chart
from common.scheme import DisclosureRules


@dataclass(frozen=True)
class GroupFigure:
    """One peer group on one indicator: the figures the disclosure rule lets through, and where the
    organisation stands against them."""

    group: PeerGroup
    summary: Figures | None
    percentile: float | None
    standing: str
    note: str
    median_display: str = ""
    quartiles_display: str = ""


@dataclass(frozen=True)
class IndicatorBenchmark:
    indicator: Indicator
    value: float | None
    figures: list[GroupFigure]
    comment: str
    recommendation: str
    chart: Chart

    @property
    def value_display(self) -> str:
        return format_value(self.indicator, self.value)


@dataclass(frozen=True)
class SectionBenchmark:
    section: Section
    indicators: list[IndicatorBenchmark]
    recommendation: str


def value_format(indicator: Indicator) -> str:
    if indicator.answer_type == AnswerType.INTEGER:
        return "{:,.0f}"
    if indicator.answer_type == AnswerType.PERCENTAGE:
        return "{:.1f} %"
    return "{:,.1f}"


def is_money(indicator: Indicator, rules: DisclosureRules) -> bool:
    return indicator.unit in rules.money_units


def rounding_step(indicator: Indicator, rules: DisclosureRules) -> Decimal:
    """What the indicator's figures are rounded to: money to the rule's step, others to how they are written."""
    if is_money(indicator, rules):
        return rules.money_step
    return Decimal(1) if indicator.answer_type == AnswerType.INTEGER else Decimal("0.1")


def format_value(indicator: Indicator, value: float | None) -> str:
    if value is None:
        return _("not answered")
    text = value_format(indicator).format(value)
    return f"{text} {indicator.unit}" if indicator.unit else text


def group_figure(
    group: PeerGroup,
    value: float | None,
    answers: list[float],
    *,
    indicator: Indicator,
    rules: DisclosureRules,
    overlap_note: str = "",
) -> GroupFigure:
    """The group's figures on the indicator. ``overlap_note`` withholds them when another group shown
    beside them would let the two be subtracted (``report.overlapping``)."""
    if not group.shown:
        return GroupFigure(group, None, None, "", group.withheld_reason)
    if overlap_note:
        return GroupFigure(group, None, None, "", overlap_note)
    fmt = value_format(indicator)
    written: Callable[[float], str] = fmt.format
    disclosed: Disclosed = disclose(answers, rules=rules, written=written, step=rounding_step(indicator, rules))
    figures = disclosed.figures
    if figures is None:
        return GroupFigure(group, None, None, "", disclosed.note)
    median = fmt.format(figures.median)
    quartiles = (
        _("%(q1)s to %(q3)s") % {"q1": fmt.format(figures.q1), "q3": fmt.format(figures.q3)}
        if figures.q1 is not None and figures.q3 is not None
        else ""
    )
    if value is None:
        return GroupFigure(group, figures, None, "", _("This organisation did not answer."), median, quartiles)
    return GroupFigure(
        group, figures, share_below(value, answers), standing(value, figures), disclosed.note, median, quartiles
    )


def standing(value: float, figures: Figures) -> str:
    """Where the value lies against the figures shown, in words. Neutral on purpose: for a share of
    public funding, say, a high figure is neither good nor bad."""
    if figures.q1 is not None and value < figures.q1:
        return _("in the lowest quarter")
    if figures.q3 is not None and value > figures.q3:
        return _("in the highest quarter")
    if value < figures.median:
        return _("below the median")
    if value > figures.median:
        return _("above the median")
    return _("at the median")


def overlap_note(threshold: int) -> str:
    return _("Not shown: this group differs from another group shown by fewer than %(k)d peers.") % {"k": threshold}
