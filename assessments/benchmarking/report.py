"""The benchmarking report assembled: the one data structure the page and the PDF both show."""

from __future__ import annotations

from dataclasses import dataclass

from assessments.benchmarking import selectors
from assessments.benchmarking.charts import indicator_chart, profile_chart
from assessments.benchmarking.figures import IndicatorBenchmark, SectionBenchmark, group_figure, value_format
from assessments.benchmarking.groups import PeerGroup, peer_groups
from assessments.models import Application, AssessmentReport, Indicator, Score
from common.charts.frame import Chart


@dataclass(frozen=True)
class BenchmarkingData:
    application: Application
    report: AssessmentReport | None
    groups: list[PeerGroup]
    sections: list[SectionBenchmark]
    profile: Chart


def benchmarking_report(application: Application) -> BenchmarkingData:
    """The whole report, in a fixed number of queries whatever the number of peers."""
    sections = selectors.numeric_sections(application)
    codes = [indicator.code for section in sections for indicator in section.indicators.all()]
    own = selectors.own_answers(application, codes)
    scores = selectors.agreed_scores(application)
    report = selectors.assessment_report(application)
    sector_names = selectors.sector_names(application.organisation)
    data = selectors.peer_data(application, codes)
    groups = peer_groups(application, data, sector_names)
    recommendations = (report.recommendations if report else None) or {}
    benchmarks = [
        SectionBenchmark(
            section,
            [
                indicator_benchmark(indicator, own.get(indicator.code), groups, data.values, scores.get(indicator.pk))
                for indicator in section.indicators.all()
            ],
            str(recommendations.get(section.code, "")),
        )
        for section in sections
        if section.indicators.all()
    ]
    return BenchmarkingData(application, report, groups, benchmarks, profile_chart(benchmarks, groups))


def indicator_benchmark(
    indicator: Indicator,
    value: float | None,
    groups: list[PeerGroup],
    values: dict[int, dict[str, float]],
    score: Score | None,
) -> IndicatorBenchmark:
    figures = [
        group_figure(
            group,
            value,
            [values[o][indicator.code] for o in sorted(group.members) if indicator.code in values[o]],
            value_format(indicator),
        )
        for group in groups
    ]
    return IndicatorBenchmark(
        indicator=indicator,
        value=value,
        figures=figures,
        comment=score.comment if score else "",
        recommendation=score.recommendation if score else "",
        chart=indicator_chart(indicator, value, figures),
    )
