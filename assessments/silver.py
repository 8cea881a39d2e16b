"""Reads of a Silver case: the first benchmarking's recommendations it chooses its
improvement areas from, and the Gold criteria the auditor validates them against.

Silver is the organisation's second benchmarking (DOMAIN.md, "How the scheme is
run"): the areas come from the first benchmarking's report, the auditor checks
on site what was improved in each against the Gold criteria.
"""

from __future__ import annotations

from dataclasses import dataclass

from assessments.models import Application, AssessmentReport, Indicator, Score, Section
from assessments.questionnaires.selectors import published_version
from common.enums import Level


@dataclass(frozen=True)
class Recommendation:
    """One recommendation of a benchmarking: for a group (``group:B3``) or an indicator (``indicator:B3.2``)."""

    source: str
    label: str
    text: str


def benchmarking_recommendations(application: Application) -> list[Recommendation]:
    """The recommendations of a Silver case's first benchmarking, groups first, in the report's order.

    Empty when the first benchmarking was recorded before the portal (a label only).
    """
    first = application.first_benchmarking
    if first is None:
        return []
    report = AssessmentReport.objects.filter(application=first).first()
    per_group = (report.recommendations if report else None) or {}
    found = [
        Recommendation(f"group:{section.code}", f"{section.code} {section.tr_title}", str(per_group[section.code]))
        for section in Section.objects.filter(version=first.version).order_by("position", "code")
        if str(per_group.get(section.code) or "").strip()
    ]
    scores = (
        Score.objects.filter(application=first, assignment__isnull=True)
        .exclude(recommendation="")
        .select_related("indicator")
        .order_by("indicator__section__position", "indicator__position", "indicator__code")
    )
    found += [
        Recommendation(
            f"indicator:{score.indicator.code}",
            f"{score.indicator.code} {score.indicator.tr_title}",
            score.recommendation,
        )
        for score in scores
    ]
    return found


def gold_criteria() -> list[Indicator]:
    """The indicators of the published Gold questionnaire: what an improvement area is validated against."""
    version = published_version(Level.GOLD)
    if version is None:
        return []
    return list(Indicator.objects.filter(version=version).order_by("section__position", "position", "code"))
