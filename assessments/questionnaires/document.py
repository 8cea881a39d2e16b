"""A questionnaire as a JSON document: the export, and the check of a document coming in."""

from __future__ import annotations

import copy
from typing import Any

from assessments.models import Indicator, QuestionnaireVersion
from assessments.questionnaires.rulebook import Document, clean_document, json_number
from assessments.questionnaires.selectors import version_tree
from common.enums import Level


def questionnaire_export(version: QuestionnaireVersion) -> dict[str, Any]:
    """A version as a JSON-ready document, in the format ``questionnaire_import`` reads.

    Gold indicators always carry ``max_points`` and ``threshold``; other levels
    carry them only when set, so the shipped Bronze and Silver files stay lean.
    No side effects.
    """
    questionnaire = version.questionnaire
    scored = questionnaire.level == Level.GOLD
    return {
        "level": questionnaire.level,
        "version": version.number,
        "status": version.status,
        "title": questionnaire.title,
        "notes": version.notes,
        **({"translations": copy.deepcopy(questionnaire.translations)} if questionnaire.translations else {}),
        "sections": [
            {
                "code": section.code,
                "title": section.title,
                "guidance": section.guidance,
                **({"translations": copy.deepcopy(section.translations)} if section.translations else {}),
                "indicators": [_indicator_export(indicator, scored=scored) for indicator in section.indicators.all()],
            }
            for section in version_tree(version)
        ],
    }


def document_check(data: Any) -> Document:
    """Check a whole document; return it cleaned.

    Raises ``QuestionnaireInvalid`` naming every problem with its place. No side effects.
    """
    return clean_document(data)


def _indicator_export(indicator: Indicator, *, scored: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
        "code": indicator.code,
        "title": indicator.title,
        "guidance": indicator.guidance,
        "answer_type": indicator.answer_type,
        "unit": indicator.unit,
        "min_value": json_number(indicator.min_value),
        "max_value": json_number(indicator.max_value),
        "choices": copy.deepcopy(indicator.choices or []),
        "required": indicator.required,
        "evidence_required": indicator.evidence_required,
        "minimum_requirement": indicator.minimum_requirement,
    }
    if indicator.translations:
        item["translations"] = copy.deepcopy(indicator.translations)
    if scored or indicator.max_points is not None or indicator.threshold:
        item["max_points"] = indicator.max_points
        item["threshold"] = copy.deepcopy(indicator.threshold or {})
    return item
