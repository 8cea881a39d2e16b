"""The benchmarking report assembled: the one data structure the page and the PDF both show."""

from __future__ import annotations

from dataclasses import dataclass

from assessments.benchmarking import selectors
from assessments.benchmarking.charts import indicator_chart, profile_chart
from assessments.benchmarking.figures import GroupFigure, IndicatorBenchmark, SectionBenchmark, group_figure
from assessments.benchmarking.figures import overlap_note as overlap_reason
from assessments.benchmarking.groups import PeerGroup, peer_groups
from assessments.models import Application, AssessmentReport, Indicator, Score
from common.charts.frame import Chart
from common.scheme import DisclosureRules, disclosure_rules


@dataclass(frozen=True)
class BenchmarkingData:
    application: Application
    report: AssessmentReport | None
    groups: list[PeerGroup]
    sections: list[SectionBenchmark]
    profile: Chart
    rules: DisclosureRules


def benchmarking_report(application: Application) -> BenchmarkingData:
    """The whole report, in a fixed number of queries whatever the number of peers."""
    rules = disclosure_rules()
    sections = selectors.numeric_sections(application)
    codes = [indicator.code for section in sections for indicator in section.indicators.all()]
    own = selectors.own_answers(application, codes)
    scores = selectors.agreed_scores(application)
    report = selectors.assessment_report(application)
    basis = selectors.peer_basis(application)
    data = selectors.peer_data(application, codes, basis)
    groups = peer_groups(application, data, basis, selectors.sector_names(basis), rules.min_peers)
    recommendations = (report.recommendations if report else None) or {}
    benchmarks = [
        SectionBenchmark(
            section,
            [
                indicator_benchmark(
                    indicator, own.get(indicator.code), groups, data.values, scores.get(indicator.pk), rules
                )
                for indicator in section.indicators.all()
            ],
            str(recommendations.get(section.code, "")),
        )
        for section in sections
        if section.indicators.all()
    ]
    return BenchmarkingData(application, report, groups, benchmarks, profile_chart(benchmarks, groups), rules)


def indicator_benchmark(
    indicator: Indicator,
    value: float | None,
    groups: list[PeerGroup],
    values: dict[int, dict[str, float]],
    score: Score | None,
    rules: DisclosureRules,
) -> IndicatorBenchmark:
    figures = indicator_figures(indicator, value, groups, values, rules)
    return IndicatorBenchmark(
        indicator=indicator,
        value=value,
        figures=figures,
        comment=score.comment if score else "",
        recommendation=score.recommendation if score else "",
        chart=indicator_chart(indicator, value, figures),
    )


def indicator_figures(
    indicator: Indicator,
    value: float | None,
    groups: list[PeerGroup],
    values: dict[int, dict[str, float]],
    rules: DisclosureRules,
) -> list[GroupFigure]:
    """Each group's figures, in order. Two groups shown side by side could be subtracted: a group
    whose contributors differ from those of a group already shown by at least one but fewer than
    ``min_peers`` organisations is withheld, so any two figures shown come from the same
    organisations or from sets that differ by at least the threshold."""
    shown: list[frozenset[int]] = []
    figures = []
    for group in groups:
        contributors = frozenset(o for o in group.members if indicator.code in values[o])
        overlapping = any(0 < len(contributors ^ other) < rules.min_peers for other in shown)
        figure = group_figure(
            group,
            value,
            [values[o][indicator.code] for o in sorted(contributors)],
            indicator=indicator,
            rules=rules,
            overlap_note=overlap_reason(rules.min_peers) if overlapping else "",
        )
        if figure.summary is not None:
            shown.append(contributors)
        figures.append(figure)
    return figures
