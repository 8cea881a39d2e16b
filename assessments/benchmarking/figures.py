"""The report's rows: one peer group's figures on one indicator, an indicator's row, a section, and how
their numbers are written."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from assessments.benchmarking.groups import MIN_PEERS, PeerGroup
from assessments.benchmarking.statistics import Summary, percentile_rank, standing, summarise
from assessments.enums import AnswerType
from assessments.models import Indicator, Section
from common.charts.frame import Chart


@dataclass(frozen=True)
class GroupFigure:
    """One peer group on one indicator: its summary and where the organisation stands in it."""

    group: PeerGroup
    summary: Summary | None
    percentile: float | None
    standing: str
    note: str
    median_display: str = ""


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


def format_value(indicator: Indicator, value: float | None) -> str:
    if value is None:
        return _("not answered")
    text = value_format(indicator).format(value)
    return f"{text} {indicator.unit}" if indicator.unit else text


def group_figure(group: PeerGroup, value: float | None, answers: list[float], fmt: str = "{}") -> GroupFigure:
    if not group.shown:
        return GroupFigure(group, None, None, "", group.withheld_reason)
    if len(answers) < MIN_PEERS:
        note = _(
            "Not shown: fewer than %(k)d organisations of this group answered this indicator, "
            "and the figures of so few could be traced back to one of them."
        ) % {"k": MIN_PEERS}
        return GroupFigure(group, None, None, "", note)
    summary = summarise(answers)
    median = fmt.format(summary.median)
    if value is None:
        return GroupFigure(group, summary, None, "", _("This organisation did not answer."), median)
    return GroupFigure(group, summary, percentile_rank(value, answers), standing(value, summary), "", median)
