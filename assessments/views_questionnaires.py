"""The label office's preview of a questionnaire version, as a cluster manager would see it."""

from __future__ import annotations

from dataclasses import dataclass

import rules
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.rules import is_label_office
from assessments.enums import AnswerType
from assessments.models import TRANSLATED_LANGUAGES, Indicator, QuestionnaireVersion, Section
from assessments.questionnaires.catalogue import missing_translations
from assessments.questionnaires.display import plain_number, threshold_text
from assessments.questionnaires.selectors import version_tree
from common.enums import Level
from common.permissions import permission_required

# Registered here rather than in assessments/rules.py, which another change
# owns for now; guarded so that moving it there later cannot register it twice.
if not rules.perm_exists("assessments.edit_questionnaires"):
    rules.add_perm("assessments.edit_questionnaires", is_label_office)


@dataclass(frozen=True)
class IndicatorPreview:
    indicator: Indicator
    minimum: str
    maximum: str
    threshold: str

    @property
    def unit(self) -> str:
        return "%" if self.indicator.answer_type == AnswerType.PERCENTAGE else self.indicator.tr_unit


@dataclass(frozen=True)
class SectionPreview:
    section: Section
    indicators: list[IndicatorPreview]


@permission_required("assessments.edit_questionnaires")
def questionnaire_preview(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(QuestionnaireVersion.objects.select_related("questionnaire"), pk=pk)
    sections = [
        SectionPreview(
            section,
            [
                IndicatorPreview(
                    indicator,
                    minimum=plain_number(indicator.min_value),
                    maximum=plain_number(indicator.max_value),
                    threshold=threshold_text(indicator),
                )
                for indicator in section.indicators.all()
            ],
        )
        for section in version_tree(version)
    ]
    indicators = [row.indicator for section in sections for row in section.indicators]
    return render(
        request,
        "assessments/questionnaire_preview.html",
        {
            "version": version,
            "sections": sections,
            "scored": version.questionnaire.level == Level.GOLD,
            "indicator_total": len(indicators),
            "points_total": sum(indicator.max_points or 0 for indicator in indicators),
            "minimum_requirements": sum(1 for indicator in indicators if indicator.minimum_requirement),
        },
    )


@permission_required("assessments.edit_questionnaires")
def questionnaire_translations(request: HttpRequest, pk: int) -> HttpResponse:
    """Which texts of a version have no translation yet, per hand-translated language."""
    version = get_object_or_404(QuestionnaireVersion.objects.select_related("questionnaire"), pk=pk)
    languages = dict(settings.LANGUAGES)
    report = [
        {"code": code, "name": languages.get(code, code), "missing": missing_translations(version, code)}
        for code in TRANSLATED_LANGUAGES
    ]
    return render(request, "assessments/questionnaire_translations.html", {"version": version, "report": report})
