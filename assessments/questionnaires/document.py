"""A questionnaire as a JSON document: the export, and the check of a document (or one of its parts) coming in.

The check names every problem at once with its place ("section B1, indicator
B1.2") and field ("threshold.value"), so a label office fixing a file sees all
that is wrong in one go. The rules are the serializers' (``serializers``); the
places and what spans sections (their order, duplicate codes) are here.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from assessments.models import Indicator, QuestionnaireVersion, Section
from assessments.questionnaires.fields import json_number, model_field
from assessments.questionnaires.selectors import version_tree
from assessments.questionnaires.serializers import (
    NON_FIELD,
    DocumentSectionSerializer,
    IndicatorSerializer,
    QuestionnaireSerializer,
    Rulebook,
    SectionSerializer,
)
from common.enums import Level
from common.errors import ActionRefused


class QuestionnaireInvalid(ActionRefused, ValueError):
    """A questionnaire (file or edit) breaks a rule. ``problems`` holds one
    line per problem, each naming its place (section, indicator) and field."""

    def __init__(self, problems: list[str], details: list[tuple[str, str | None, str]] | None = None) -> None:
        self.problems = problems
        # (place, field, message) per problem, for forms that show each at its field.
        self.details = details or [(problem, None, "") for problem in problems]
        super().__init__("\n".join(problems))


class Problems:
    """The problems of one check, each with its place and field path."""

    def __init__(self) -> None:
        self.details: list[tuple[str, str | None, str]] = []

    def add(self, place: str, field_name: str | None, message: str) -> None:
        self.details.append((place, field_name, message))

    def check(self, place: str, rulebook: Rulebook) -> dict[str, Any]:
        """Run a serializer, noting its problems at ``place``; its values, or with problems the part that passed."""
        if rulebook.is_valid():
            return dict(rulebook.validated_data)
        for path, messages in rulebook.errors.items():
            for message in messages:
                self.add(place, None if path == NON_FIELD else path, str(message))
        return dict(rulebook.passed)

    def raise_if_any(self) -> None:
        if self.details:
            lines = [
                f"{place}, {name}: {message}" if name else f"{place}: {message}"
                for place, name, message in self.details
            ]
            raise QuestionnaireInvalid(lines, self.details)


@dataclass
class SectionData:
    fields: dict[str, Any]
    indicators: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Document:
    """A checked document: every value as the models take it."""

    level: str
    title: str
    notes: str
    sections: list[SectionData]
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class _Codes:
    """Where each code was first seen, to name it when it comes again."""

    sections: dict[str, str] = field(default_factory=dict)
    indicators: dict[str, str] = field(default_factory=dict)


def document_check(data: Any) -> Document:
    """Check a whole document; return it cleaned.

    Raises ``QuestionnaireInvalid`` naming every problem with its place. No side effects.
    """
    problems = Problems()
    head = problems.check("questionnaire", QuestionnaireSerializer(data=data))
    codes = _Codes()
    sections = [
        _section_checked(raw, index, level=head.get("level"), codes=codes, problems=problems)
        for index, raw in enumerate(head.get("sections") or [], start=1)
    ]
    problems.raise_if_any()
    return Document(
        level=head["level"],
        title=head["title"],
        notes=head["notes"],
        sections=sections,
        translations=head["translations"],
    )


def _section_checked(raw: Any, index: int, *, level: str | None, codes: _Codes, problems: Problems) -> SectionData:
    place = f"section {_label(raw, index, Section)}"
    values = problems.check(place, DocumentSectionSerializer(data=raw))
    code = values.get("code")
    if code in codes.sections:
        problems.add(place, "code", f"duplicate section code {code!r} (also {codes.sections[code]})")
    elif code:
        codes.sections[code] = f"section #{index}"
    indicators = [
        _indicator_checked(item, number, section=place, level=level, codes=codes, problems=problems)
        for number, item in enumerate(values.pop("indicators", None) or [], start=1)
    ]
    return SectionData(fields=values, indicators=indicators)


def _indicator_checked(
    raw: Any, index: int, *, section: str, level: str | None, codes: _Codes, problems: Problems
) -> dict[str, Any]:
    place = f"{section}, indicator {_label(raw, index, Indicator)}"
    values = problems.check(place, IndicatorSerializer(data=raw, context={"level": level}))
    code = values.get("code")
    if code in codes.indicators:
        problems.add(place, "code", f"duplicate indicator code {code!r} (also in {codes.indicators[code]})")
    elif code:
        codes.indicators[code] = section
    return values


def _label(raw: Any, index: int, model: type[models.Model]) -> str:
    """How a place is named in messages: its code when it has one, else its position."""
    code = raw.get("code") if isinstance(raw, Mapping) else None
    if not isinstance(code, str) or not code.strip():
        return f"#{index}"
    return code.strip()[: model_field(model, "code").max_length]


def section_check(*, values: Mapping[str, Any]) -> dict[str, Any]:
    """Check a section's code, title, guidance and, when given, translations; return them cleaned.

    For forms that edit sections (the admin), which may hold other fields too.
    Raises ``QuestionnaireInvalid``. No side effects.
    """
    problems = Problems()
    given = {name: value for name, value in values.items() if name in SectionSerializer._declared_fields}
    cleaned = problems.check(f"section {values.get('code') or '(new)'}", SectionSerializer(data=given))
    problems.raise_if_any()
    if "translations" not in values:
        cleaned.pop("translations", None)
    return cleaned


def indicator_check(*, level: Level | str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Check one indicator's values (export format) for a level; return them cleaned.

    For forms that edit indicators (the admin), so they apply the same rules
    as a file import. Raises ``QuestionnaireInvalid``. No side effects.
    """
    problems = Problems()
    place = f"indicator {values.get('code') or '(new)'}"
    cleaned = problems.check(place, IndicatorSerializer(data=values, context={"level": Level(level)}))
    problems.raise_if_any()
    return cleaned


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
        **_translations_export(questionnaire.translations),
        "sections": [_section_export(section, scored=scored) for section in version_tree(version)],
    }


def _section_export(section: Section, *, scored: bool) -> dict[str, Any]:
    return {
        "code": section.code,
        "title": section.title,
        "guidance": section.guidance,
        **_translations_export(section.translations),
        "indicators": [_indicator_export(indicator, scored=scored) for indicator in section.indicators.all()],
    }


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
        **_translations_export(indicator.translations),
    }
    if scored or indicator.max_points is not None or indicator.threshold:
        item["max_points"] = indicator.max_points
        item["threshold"] = copy.deepcopy(indicator.threshold or {})
    return item


def _translations_export(translations: dict[str, Any] | None) -> dict[str, Any]:
    # Exported where there are some, so a document without translations stays lean.
    return {"translations": copy.deepcopy(translations)} if translations else {}
