"""The hand-written rulebook of a questionnaire document (to be replaced by serializers)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from assessments.enums import CHOICE_TYPES, NUMERIC_TYPES, AnswerType, ThresholdKind, VersionStatus
from assessments.models import TRANSLATED_LANGUAGES
from assessments.questionnaires.display import plain_number
from common.enums import Level
from common.errors import ActionRefused

DOCUMENT_KEYS = frozenset({"level", "version", "status", "title", "notes", "sections", "translations"})
SECTION_KEYS = frozenset({"code", "title", "guidance", "indicators", "translations"})
INDICATOR_KEYS = frozenset(
    {
        "code",
        "title",
        "guidance",
        "answer_type",
        "unit",
        "min_value",
        "max_value",
        "choices",
        "required",
        "evidence_required",
        "minimum_requirement",
        "max_points",
        "threshold",
        "translations",
    }
)
# What each kind of text may carry per language ({"sr-latn": {"title": ...}}).
QUESTIONNAIRE_TRANSLATED = ("title",)
SECTION_TRANSLATED = ("title", "guidance")
INDICATOR_TRANSLATED = ("title", "guidance", "unit", "choices")
THRESHOLD_KEYS = frozenset({"kind", "value", "choices"})

# What the editing helpers accept: the file keys plus the position, which a
# file expresses by order instead.
SECTION_EDITABLE = frozenset({"code", "title", "guidance", "position", "translations"})
INDICATOR_EDITABLE = INDICATOR_KEYS | {"position"}

# Codes appear in URLs (/a/<pk>/s/<code>/) and in Silver's references to
# Bronze indicators: keep them to a safe alphabet.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# The model's limits (max_length, DecimalField(14, 4), PositiveSmallIntegerField),
# checked here so a bad file is refused with a reason instead of failing in the database.
CODE_MAX = 20
SECTION_TITLE_MAX = 200
INDICATOR_TITLE_MAX = 300
QUESTIONNAIRE_TITLE_MAX = 200
UNIT_MAX = 40
CHOICE_VALUE_MAX = 100
NUMBER_LIMIT = Decimal(10) ** 10
NUMBER_PLACES = Decimal("0.0001")
MAX_POINTS_LIMIT = 1000


class QuestionnaireInvalid(ActionRefused, ValueError):
    """A questionnaire (file or edit) breaks a rule. ``problems`` holds one
    line per problem, each naming its place (section, indicator) and field."""

    def __init__(self, problems: list[str], details: list[tuple[str, str | None, str]] | None = None) -> None:
        self.problems = problems
        # (place, field, message) per problem, for forms that show each at its field.
        self.details = details or [(problem, None, "") for problem in problems]
        super().__init__("\n".join(problems))


def section_check(*, values: Mapping[str, Any]) -> dict[str, Any]:
    """Check a section's code, title and guidance; return them cleaned.

    For forms that edit sections (the admin). Raises ``QuestionnaireInvalid``. No side effects.
    """
    problems = Problems()
    place = f"section {values.get('code') or '(new)'}"
    cleaned = {
        "code": clean_code(values.get("code"), place, problems),
        "title": clean_text(values, "title", place, problems, required=True, max_length=SECTION_TITLE_MAX),
        "guidance": clean_text(values, "guidance", place, problems),
    }
    if "translations" in values:
        cleaned["translations"] = clean_translations(values, SECTION_TRANSLATED, place, problems)
    problems.raise_if_any()
    return cleaned


def indicator_check(*, level: Level | str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Check one indicator's values (export format) for a level; return them cleaned.

    For forms that edit indicators (the admin), so they apply the same rules
    as a file import. Raises ``QuestionnaireInvalid``. No side effects.
    """
    problems = Problems()
    place = f"indicator {values.get('code') or '(new)'}"
    cleaned = clean_indicator(values, level=Level(level), place=place, problems=problems)
    problems.raise_if_any()
    return cleaned


def json_number(value: Decimal | None) -> int | float | None:
    # JSON has no decimal type; the model keeps 4 places, which a float holds exactly enough to round-trip.
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# ---------------------------------------------------------------------------
# Internals: the rulebook
# ---------------------------------------------------------------------------


class Problems:
    def __init__(self) -> None:
        self.details: list[tuple[str, str | None, str]] = []

    def add(self, place: str, field_name: str | None, message: str) -> None:
        self.details.append((place, field_name, message))

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
    level: str
    title: str
    notes: str
    sections: list[SectionData]
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)


def _label(raw: Any, index: int) -> str:
    """How a place is named in messages: its code when it has one, else its position."""
    code = raw.get("code") if isinstance(raw, Mapping) else None
    return code.strip()[:CODE_MAX] if isinstance(code, str) and code.strip() else f"#{index}"


def clean_document(data: Any) -> Document:
    problems = Problems()
    top = "questionnaire"
    if not isinstance(data, Mapping):
        raise QuestionnaireInvalid([f"{top}: must be a JSON object, not {type(data).__name__}"])
    _check_keys(data, DOCUMENT_KEYS, top, problems)

    level = data.get("level")
    if level not in Level.values:
        problems.add(top, "level", f"unknown level {level!r}; expected one of {', '.join(Level.values)}")
        level = None
    title = clean_text(data, "title", top, problems, max_length=QUESTIONNAIRE_TITLE_MAX)
    notes = clean_text(data, "notes", top, problems)
    translations = clean_translations(data, QUESTIONNAIRE_TRANSLATED, top, problems)
    number = data.get("version")
    if number is not None and (isinstance(number, bool) or not isinstance(number, int) or number < 1):
        problems.add(top, "version", f"must be a whole number from 1, not {number!r}")
    status = data.get("status")
    if status is not None and status not in VersionStatus.values:
        problems.add(top, "status", f"unknown status {status!r}; expected one of {', '.join(VersionStatus.values)}")

    raw_sections = data.get("sections")
    sections: list[SectionData] = []
    if not isinstance(raw_sections, list) or not raw_sections:
        problems.add(top, "sections", "must be a non-empty list of sections")
        raw_sections = []
    section_places: dict[str, str] = {}
    indicator_places: dict[str, str] = {}
    for section_index, raw_section in enumerate(raw_sections, start=1):
        place = f"section {_label(raw_section, section_index)}"
        if not isinstance(raw_section, Mapping):
            problems.add(place, None, "must be an object")
            continue
        _check_keys(raw_section, SECTION_KEYS, place, problems)
        code = clean_code(raw_section.get("code"), place, problems)
        if code in section_places:
            problems.add(place, "code", f"duplicate section code {code!r} (also {section_places[code]})")
        elif code:
            section_places[code] = f"section #{section_index}"
        section = SectionData(
            fields={
                "code": code,
                "title": clean_text(raw_section, "title", place, problems, required=True, max_length=SECTION_TITLE_MAX),
                "guidance": clean_text(raw_section, "guidance", place, problems),
                "translations": clean_translations(raw_section, SECTION_TRANSLATED, place, problems),
            }
        )
        raw_indicators = raw_section.get("indicators")
        if not isinstance(raw_indicators, list) or not raw_indicators:
            problems.add(place, "indicators", "must be a non-empty list of indicators")
            raw_indicators = []
        for indicator_index, raw_indicator in enumerate(raw_indicators, start=1):
            indicator_place = f"{place}, indicator {_label(raw_indicator, indicator_index)}"
            values = clean_indicator(raw_indicator, level=level, place=indicator_place, problems=problems)
            indicator_code = values.get("code")
            if indicator_code in indicator_places:
                problems.add(
                    indicator_place,
                    "code",
                    f"duplicate indicator code {indicator_code!r} (also in {indicator_places[indicator_code]})",
                )
            elif indicator_code:
                indicator_places[indicator_code] = place
            section.indicators.append(values)
        sections.append(section)
    problems.raise_if_any()
    assert level is not None  # a bad level was a problem, raised above
    return Document(level=level, title=title, notes=notes, sections=sections, translations=translations)


def clean_indicator(raw: Any, *, level: str | None, place: str, problems: Problems) -> dict[str, Any]:
    """Check one indicator; return the model field values. ``level`` None skips the level's own rules."""
    if not isinstance(raw, Mapping):
        problems.add(place, None, "must be an object")
        return {}
    _check_keys(raw, INDICATOR_KEYS, place, problems)
    cleaned: dict[str, Any] = {
        "code": clean_code(raw.get("code"), place, problems),
        "title": clean_text(raw, "title", place, problems, required=True, max_length=INDICATOR_TITLE_MAX),
        "guidance": clean_text(raw, "guidance", place, problems),
        "unit": clean_text(raw, "unit", place, problems, max_length=UNIT_MAX),
        "required": _clean_flag(raw, "required", True, place, problems),
        "evidence_required": _clean_flag(raw, "evidence_required", False, place, problems),
        "minimum_requirement": _clean_flag(raw, "minimum_requirement", False, place, problems),
        "translations": clean_translations(raw, INDICATOR_TRANSLATED, place, problems),
    }

    answer_type: AnswerType | None = None
    if "answer_type" not in raw:
        problems.add(place, "answer_type", "is missing")
    elif raw["answer_type"] not in AnswerType.values:
        problems.add(
            place,
            "answer_type",
            f"unknown answer type {raw['answer_type']!r}; expected one of {', '.join(AnswerType.values)}",
        )
    else:
        answer_type = AnswerType(raw["answer_type"])
    cleaned["answer_type"] = answer_type

    minimum = _clean_number(raw.get("min_value"), place, "min_value", problems)
    maximum = _clean_number(raw.get("max_value"), place, "max_value", problems)
    if answer_type is not None and answer_type not in NUMERIC_TYPES:
        for name, value in (("min_value", minimum), ("max_value", maximum)):
            if value is not None:
                problems.add(
                    place, name, f"only integer, decimal and percentage answers have bounds, not {answer_type}"
                )
        minimum = maximum = None
    for name, value in (("min_value", minimum), ("max_value", maximum)):
        if value is None:
            continue
        if answer_type == AnswerType.INTEGER and value != value.to_integral_value():
            problems.add(place, name, f"must be a whole number for an integer answer, not {plain_number(value)}")
        if answer_type == AnswerType.PERCENTAGE and not Decimal(0) <= value <= Decimal(100):
            problems.add(place, name, f"must be between 0 and 100 for a percentage, not {plain_number(value)}")
    if minimum is not None and maximum is not None and minimum > maximum:
        problems.add(
            place,
            "min_value",
            f"must not be greater than max_value ({plain_number(minimum)} > {plain_number(maximum)})",
        )
    cleaned["min_value"] = minimum
    cleaned["max_value"] = maximum

    cleaned["choices"] = _clean_choices(raw.get("choices"), answer_type, place, problems)
    values = {choice["value"] for choice in cleaned["choices"]}
    # Checked only against valid choices: a broken choice list is reported once, above.
    for language, texts in cleaned["translations"].items() if values else ():
        unknown = sorted(set(texts.get("choices", {})) - values)
        if unknown:
            problems.add(place, f"translations.{language}.choices", f"not among the choices: {', '.join(unknown)}")

    max_points = raw.get("max_points")
    if max_points is not None and (
        isinstance(max_points, bool) or not isinstance(max_points, int) or not 1 <= max_points <= MAX_POINTS_LIMIT
    ):
        problems.add(place, "max_points", f"must be a whole number from 1 to {MAX_POINTS_LIMIT}, not {max_points!r}")
        max_points = None
    elif max_points is None and level == Level.GOLD:
        problems.add(place, "max_points", "is missing: every Gold indicator scores points")
    cleaned["max_points"] = max_points

    threshold = raw.get("threshold")
    if threshold is None:
        threshold = {}
    if not isinstance(threshold, Mapping):
        problems.add(
            place, "threshold", f'must be an object such as {{"kind": "at_least", "value": 15}}, not {threshold!r}'
        )
        threshold = {}
    if not threshold and level == Level.GOLD:
        problems.add(place, "threshold", "is missing: every Gold indicator is scored against a threshold")
    cleaned["threshold"] = (
        _clean_threshold(threshold, answer_type, minimum, maximum, cleaned["choices"], place, problems)
        if threshold
        else {}
    )
    return cleaned


def _clean_threshold(
    threshold: Mapping[str, Any],
    answer_type: AnswerType | None,
    minimum: Decimal | None,
    maximum: Decimal | None,
    choices: list[dict[str, str]],
    place: str,
    problems: Problems,
) -> dict[str, Any]:
    _check_keys(threshold, THRESHOLD_KEYS, place, problems, prefix="threshold.")
    kind = threshold.get("kind")
    if kind not in ThresholdKind.values:
        problems.add(
            place,
            "threshold.kind",
            f"unknown threshold kind {kind!r}; expected one of {', '.join(ThresholdKind.values)}",
        )
        return {}
    kind = ThresholdKind(kind)
    allowed_types = {
        ThresholdKind.AT_LEAST: NUMERIC_TYPES,
        ThresholdKind.AT_MOST: NUMERIC_TYPES,
        ThresholdKind.YES: frozenset({AnswerType.YES_NO}),
        ThresholdKind.CHOICE_IN: CHOICE_TYPES,
        ThresholdKind.ANSWERED: frozenset(AnswerType),
    }[kind]
    if answer_type is not None and answer_type not in allowed_types:
        problems.add(
            place,
            "threshold.kind",
            f"{kind} needs a {' or '.join(sorted(allowed_types))} answer, not {answer_type}",
        )
    if kind != ThresholdKind.CHOICE_IN and "choices" in threshold:
        problems.add(place, "threshold.choices", f"only a choice_in threshold lists choices, not {kind}")

    if kind in (ThresholdKind.AT_LEAST, ThresholdKind.AT_MOST):
        if threshold.get("value") is None:
            problems.add(place, "threshold.value", f"is missing: an {kind} threshold needs a number")
            return {"kind": kind.value}
        value = _clean_number(threshold["value"], place, "threshold.value", problems)
        if value is None:
            return {"kind": kind.value}
        if answer_type == AnswerType.INTEGER and value != value.to_integral_value():
            problems.add(place, "threshold.value", f"must be a whole number for an integer answer, not {value}")
        if kind == ThresholdKind.AT_LEAST and maximum is not None and value > maximum:
            problems.add(
                place,
                "threshold.value",
                f"can never be met: at least {plain_number(value)} but max_value is {plain_number(maximum)}",
            )
        if kind == ThresholdKind.AT_MOST and minimum is not None and value < minimum:
            problems.add(
                place,
                "threshold.value",
                f"can never be met: at most {plain_number(value)} but min_value is {plain_number(minimum)}",
            )
        return {"kind": kind.value, "value": json_number(value)}

    if "value" in threshold:
        problems.add(place, "threshold.value", f"a {kind} threshold takes no value")
    if kind != ThresholdKind.CHOICE_IN:
        return {"kind": kind.value}

    chosen = threshold.get("choices")
    if not isinstance(chosen, list) or not chosen or not all(isinstance(value, str) for value in chosen):
        problems.add(place, "threshold.choices", "is missing: a choice_in threshold lists the choice values that count")
        return {"kind": kind.value, "choices": []}
    known = {choice["value"] for choice in choices}
    unknown = [value for value in chosen if value not in known]
    if known and unknown:
        problems.add(place, "threshold.choices", f"not among the indicator's choices: {', '.join(unknown)}")
    return {"kind": kind.value, "choices": list(chosen)}


def _clean_choices(raw: Any, answer_type: AnswerType | None, place: str, problems: Problems) -> list[dict[str, str]]:
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        problems.add(place, "choices", 'must be a list such as [{"value": "a", "label": "..."}]')
        return []
    choices: list[dict[str, str]] = []
    seen: set[str] = set()
    for index, choice in enumerate(raw, start=1):
        if not isinstance(choice, Mapping) or set(choice) != {"value", "label"}:
            problems.add(place, f"choices[{index}]", 'must be an object with exactly "value" and "label"')
            continue
        value, label = choice["value"], choice["label"]
        if not isinstance(value, str) or not value.strip() or len(value) > CHOICE_VALUE_MAX:
            problems.add(place, f"choices[{index}].value", f"must be text of 1 to {CHOICE_VALUE_MAX} characters")
            continue
        if not isinstance(label, str) or not label.strip():
            problems.add(place, f"choices[{index}].label", "must be non-empty text")
            continue
        if value in seen:
            problems.add(place, f"choices[{index}].value", f"duplicate choice value {value!r}")
            continue
        seen.add(value)
        choices.append({"value": value, "label": label.strip()})
    if answer_type in CHOICE_TYPES and len(raw) < 2:
        problems.add(place, "choices", f"a {answer_type} answer needs at least two choices")
    elif answer_type is not None and answer_type not in CHOICE_TYPES and raw:
        problems.add(
            place, "choices", f"only single_choice and multiple_choice answers have choices, not {answer_type}"
        )
        return []
    return choices


def clean_translations(
    raw: Mapping[str, Any], allowed: tuple[str, ...], place: str, problems: Problems
) -> dict[str, dict[str, Any]]:
    """``{"sr-latn": {"title": "...", "choices": {"a": "..."}}}``: hand-made translations only.

    Serbian Cyrillic is not accepted: it is made from the Latin text when shown.
    Empty texts are dropped, so a missing translation is simply absent.
    """
    value = raw.get("translations")
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.add(place, "translations", 'must be an object such as {"sr-latn": {"title": "..."}}')
        return {}
    cleaned: dict[str, dict[str, Any]] = {}
    for language, texts in value.items():
        where = f"translations.{language}"
        if language not in TRANSLATED_LANGUAGES:
            problems.add(place, where, f"unknown language; expected one of {', '.join(TRANSLATED_LANGUAGES)}")
            continue
        if not isinstance(texts, Mapping):
            problems.add(place, where, "must be an object")
            continue
        _check_keys(texts, frozenset(allowed), place, problems, prefix=f"{where}.")
        entry: dict[str, Any] = {}
        for name in allowed:
            text = texts.get(name)
            if name == "choices":
                if text is None:
                    continue
                if not isinstance(text, Mapping) or not all(
                    isinstance(key, str) and isinstance(label, str) for key, label in text.items()
                ):
                    problems.add(place, f"{where}.choices", 'must map choice values to labels: {"a": "..."}')
                    continue
                labels = {key: label.strip() for key, label in text.items() if label.strip()}
                if labels:
                    entry["choices"] = labels
            elif text is not None:
                if not isinstance(text, str):
                    problems.add(place, f"{where}.{name}", f"must be text, not {type(text).__name__}")
                elif text.strip():
                    entry[name] = text.strip()
        if entry:
            cleaned[language] = entry
    return cleaned


def _check_keys(
    raw: Mapping[str, Any], allowed: frozenset[str], place: str, problems: Problems, prefix: str = ""
) -> None:
    # A misspelt key ("minimum_requirment") would otherwise be dropped without a word.
    for key in sorted(set(raw) - allowed, key=str):
        problems.add(place, f"{prefix}{key}", "unknown field")


def clean_code(raw: Any, place: str, problems: Problems) -> str:
    if raw is None:
        problems.add(place, "code", "is missing")
        return ""
    code = raw.strip() if isinstance(raw, str) else ""
    if not code or len(code) > CODE_MAX or not CODE_PATTERN.match(code):
        problems.add(
            place,
            "code",
            f"must be 1 to {CODE_MAX} letters, digits, '.', '-' or '_', not {raw!r}",
        )
        return ""
    return code


def clean_text(
    raw: Mapping[str, Any],
    name: str,
    place: str,
    problems: Problems,
    *,
    required: bool = False,
    max_length: int | None = None,
) -> str:
    value = raw.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.add(place, name, f"must be text, not {type(value).__name__}")
        return ""
    value = value.strip()
    if required and not value:
        problems.add(place, name, "is missing")
    if max_length is not None and len(value) > max_length:
        problems.add(place, name, f"is {len(value)} characters long; at most {max_length}")
    return value


def _clean_flag(raw: Mapping[str, Any], name: str, default: bool, place: str, problems: Problems) -> bool:
    value = raw.get(name, default)
    if not isinstance(value, bool):
        problems.add(place, name, f"must be true or false, not {value!r}")
        return default
    return value


def _clean_number(raw: Any, place: str, name: str, problems: Problems) -> Decimal | None:
    if raw is None:
        return None
    # bool is an int in Python, and a string would hide a typo: both refused.
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        problems.add(place, name, f"must be a number, not {raw!r}")
        return None
    try:
        number = Decimal(str(raw))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
        problems.add(place, name, f"must be a number below {NUMBER_LIMIT:,}, not {raw!r}")
        return None
    if number != number.quantize(NUMBER_PLACES):
        problems.add(place, name, f"must have at most 4 decimal places, not {raw!r}")
        return None
    return number


def clean_position(raw: Any, place: str, problems: Problems) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 32767:
        problems.add(place, "position", f"must be a whole number from 0 to 32767, not {raw!r}")
        return 0
    return raw
