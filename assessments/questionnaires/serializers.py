"""The rulebook of a questionnaire: DRF serializers for a document's head, a section, an indicator and their parts.

Each serializer checks one object; what spans objects (the places, duplicate
codes across sections) is ``document``'s. A serializer reports every problem
at once, each at its field path ("threshold.value", "choices[2].label",
"translations.sr-latn.choices"): every field is checked, then the rules across
fields run on what passed, so one bad field hides no other problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField, empty
from rest_framework.settings import api_settings

from assessments.enums import ThresholdKind
from assessments.models import TRANSLATED_LANGUAGES, Indicator, Questionnaire, QuestionnaireVersion, Section
from assessments.questionnaires.fields import (
    ChoiceLabels,
    Code,
    Flag,
    Items,
    JsonField,
    Number,
    OneOf,
    Problem,
    Text,
    WholeNumber,
)
from assessments.questionnaires.indicator_rules import bounds_checked, choices_checked, gold_checked, threshold_checked
from common.enums import Level

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY

# What each kind of text may carry per language ({"sr-latn": {"title": ...}}).
QUESTIONNAIRE_TRANSLATED = ("title",)
SECTION_TRANSLATED = ("title", "guidance")
INDICATOR_TRANSLATED = ("title", "guidance", "unit", "choices")
# Rules of the scheme rather than limits of a column: choice values live in
# JSON (the indicator's choices, the answers), and a Gold indicator's points
# stay well inside the PositiveSmallIntegerField that holds them.
CHOICE_VALUE_MAX = 100
MAX_POINTS = 1000


def reasons(detail: Any, path: str | None = None) -> list[Problem]:
    """A DRF error detail (nested dicts and lists of messages) as (field path, message) pairs, in order."""
    if isinstance(detail, Mapping):
        return [reason for key, inner in detail.items() for reason in reasons(inner, _join(path, key))]
    if isinstance(detail, list):
        return [reason for inner in detail for reason in reasons(inner, path)]
    return [(path, str(detail))]


def _join(path: str | None, key: Any) -> str | None:
    if key == NON_FIELD:
        return path
    step = f"[{key}]" if isinstance(key, int) else str(key)
    if path is None:
        return step
    return f"{path}{step}" if step.startswith("[") else f"{path}.{step}"


def _invalid(problems: list[Problem], passed: Any) -> ValidationError:
    """The problems, grouped by field path; ``passed`` keeps what passed (None: nothing), which the rules
    of the object around still check."""
    detail: dict[str, list[str]] = {}
    for path, message in problems:
        detail.setdefault(path or NON_FIELD, []).append(message)
    error = ValidationError(detail)
    error.passed = passed
    return error


class Rulebook(serializers.Serializer):
    """A serializer of one JSON object that reports every problem at once.

    Unknown keys are refused (a misspelt "minimum_requirment" would otherwise
    be dropped without a word). Each field is checked; then ``rules`` checks
    across fields what passed. ``passed`` keeps the values, or with problems
    the part that passed.
    """

    default_error_messages = {"not_an_object": "must be an object"}
    exact_keys = False

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        return False, (None if data is empty else data)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        self.passed: dict[str, Any] = {}
        if not isinstance(data, Mapping) or (self.exact_keys and set(data) != set(self.fields)):
            message = self.error_messages["not_an_object"].format(kind=type(data).__name__, value=data)
            raise _invalid([(None, message)], passed=None)
        problems: list[Problem] = [(str(key), "unknown field") for key in sorted(set(data) - set(self.fields), key=str)]
        values: dict[str, Any] = {}
        for name, field in self.fields.items():
            try:
                values[name] = field.run_validation(field.get_value(data))
            except SkipField:
                continue
            except ValidationError as error:
                problems += reasons(error.detail, name)
                if getattr(error, "passed", None) is not None:
                    values[name] = error.passed
        self.passed = self.rules(values, data, problems)
        if problems:
            raise _invalid(problems, passed=self.passed or None)
        return self.passed

    def rules(self, values: dict[str, Any], given: Mapping[str, Any], problems: list[Problem]) -> dict[str, Any]:
        """The rules across fields, on the values that passed (``given`` is the object as it came):
        add a problem per broken rule; return the values, cleaned."""
        return values


class TranslationTexts(Rulebook):
    """The hand-made texts of one language; empty ones are dropped, so a missing translation is absent."""

    title = Text()
    guidance = Text()
    unit = Text()
    choices = ChoiceLabels()

    def __init__(self, *args: Any, names: tuple[str, ...], **kwargs: Any) -> None:
        self.names = names
        super().__init__(*args, **kwargs)

    def get_fields(self) -> dict[str, serializers.Field]:
        return {name: field for name, field in super().get_fields().items() if name in self.names}

    def rules(self, values: dict[str, Any], given: Mapping[str, Any], problems: list[Problem]) -> dict[str, Any]:
        return {name: value for name, value in values.items() if value}


class Translations(JsonField):
    """``{"sr-latn": {"title": "...", "choices": {"a": "..."}}}``: hand-made translations only.

    Serbian Cyrillic is not accepted: it is made from the Latin text when shown.
    """

    default_error_messages = {
        "not_an_object": 'must be an object such as {{"sr-latn": {{"title": "..."}}}}',
        "unknown_language": "unknown language; expected one of {expected}",
    }

    def __init__(self, *, names: tuple[str, ...], **kwargs: Any) -> None:
        self.names = names
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> dict[str, dict[str, Any]]:
        if data is None:
            return {}
        if not isinstance(data, Mapping):
            self.fail("not_an_object")
        cleaned: dict[str, dict[str, Any]] = {}
        problems: list[Problem] = []
        for language, texts in data.items():
            if language not in TRANSLATED_LANGUAGES:
                expected = ", ".join(TRANSLATED_LANGUAGES)
                problems.append((language, self.error_messages["unknown_language"].format(expected=expected)))
                continue
            checked = TranslationTexts(data=texts, names=self.names)
            if not checked.is_valid():
                problems += reasons(checked.errors, language)
            elif checked.validated_data:
                cleaned[language] = dict(checked.validated_data)
        if problems:
            raise _invalid(problems, passed=cleaned or None)
        return cleaned


class Choice(Rulebook):
    default_error_messages = {"not_an_object": 'must be an object with exactly "value" and "label"'}
    exact_keys = True

    # A value is kept as written: answers store it.
    value = Text(
        max_length=CHOICE_VALUE_MAX,
        allow_blank=False,
        trim=False,
        error_messages=dict.fromkeys(
            ("not_text", "blank", "too_long"), f"must be text of 1 to {CHOICE_VALUE_MAX} characters"
        ),
    )
    label = Text(allow_blank=False, error_messages=dict.fromkeys(("not_text", "blank"), "must be non-empty text"))


class Choices(JsonField):
    """A choice answer's choices: ``[{"value": "a", "label": "..."}]``, each value once."""

    default_error_messages = {
        "not_a_list": 'must be a list such as [{{"value": "a", "label": "..."}}]',
        "duplicate": "duplicate choice value {value!r}",
    }

    def to_internal_value(self, data: Any) -> list[dict[str, str]]:
        if data is None:
            return []
        if not isinstance(data, list):
            self.fail("not_a_list")
        cleaned: list[dict[str, str]] = []
        problems: list[Problem] = []
        for index, raw in enumerate(data, start=1):
            choice = Choice(data=raw)
            if not choice.is_valid():
                problems += reasons(choice.errors, f"[{index}]")
            elif choice.validated_data["value"] in {known["value"] for known in cleaned}:
                message = self.error_messages["duplicate"].format(value=choice.validated_data["value"])
                problems.append((f"[{index}].value", message))
            else:
                cleaned.append({"value": choice.validated_data["value"], "label": choice.validated_data["label"]})
        if problems:
            raise _invalid(problems, passed=cleaned or None)
        return cleaned


class Threshold(Rulebook):
    """When a Gold indicator is met: ``{"kind": "at_least", "value": 15}``, ``{"kind": "choice_in", "choices": [...]}``.

    What the kind needs is checked here; what depends on the indicator (its
    answer type, bounds and choices) is the indicator's.
    """

    default_error_messages = {
        "not_an_object": 'must be an object such as {{"kind": "at_least", "value": 15}}, not {value!r}'
    }

    kind = OneOf(values=ThresholdKind.values, name="threshold kind")
    # Compared with the answers, which the indicator's bounds hold.
    value = Number.of(Indicator, "min_value")
    choices = JsonField()

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if data is None or (isinstance(data, Mapping) and not data):
            return {}
        return super().to_internal_value(data)

    def rules(self, values: dict[str, Any], given: Mapping[str, Any], problems: list[Problem]) -> dict[str, Any]:
        kind = values.get("kind")
        if kind is None:
            return {}
        if kind != ThresholdKind.CHOICE_IN and values.get("choices") is not None:
            problems.append(("choices", f"only a choice_in threshold lists choices, not {kind}"))
        if kind in (ThresholdKind.AT_LEAST, ThresholdKind.AT_MOST):
            if "value" in values and values["value"] is None:
                problems.append(("value", f"is missing: an {kind} threshold needs a number"))
            return {"kind": kind, "value": values.get("value")}
        if values.get("value") is not None:
            problems.append(("value", f"a {kind} threshold takes no value"))
        if kind != ThresholdKind.CHOICE_IN:
            return {"kind": kind}
        chosen = values.get("choices")
        if not isinstance(chosen, list) or not chosen or not all(isinstance(value, str) for value in chosen):
            problems.append(("choices", "is missing: a choice_in threshold lists the choice values that count"))
            return {"kind": kind}
        return {"kind": kind, "choices": list(chosen)}


class QuestionnaireSerializer(Rulebook):
    """A document's head; ``document`` checks its sections one by one, to name each one's place."""

    default_error_messages = {"not_an_object": "must be a JSON object, not {kind}"}

    level = OneOf.of(Questionnaire, "level", name="level")
    # A document without a title gives a new questionnaire its level's name.
    title = Text.of(Questionnaire, "title", allow_blank=True)
    notes = Text.of(QuestionnaireVersion, "notes")
    translations = Translations(names=QUESTIONNAIRE_TRANSLATED)
    # Informative only: an import numbers the new version itself, and makes it a draft or publishes it.
    version = WholeNumber(minimum=1, allow_null=True)
    status = OneOf.of(QuestionnaireVersion, "status", name="status", allow_null=True)
    sections = Items(what="sections")


class SectionSerializer(Rulebook):
    code = Code.of(Section)
    title = Text.of(Section, "title")
    guidance = Text.of(Section, "guidance")
    translations = Translations(names=SECTION_TRANSLATED)


class DocumentSectionSerializer(SectionSerializer):
    """A section in a document, with its indicators (which ``document`` checks one by one)."""

    indicators = Items(what="indicators")


class SectionEditSerializer(SectionSerializer):
    """A section edited by ``section_update``: a file gives the position by order, an edit by number."""

    position = WholeNumber.of(Section, "position", skip_absent=True)


class IndicatorSerializer(Rulebook):
    """One indicator; the document's level comes in the context (``{"level": "gold"}``), None skips its rules."""

    code = Code.of(Indicator)
    title = Text.of(Indicator, "title")
    guidance = Text.of(Indicator, "guidance")
    unit = Text.of(Indicator, "unit")
    required = Flag.of(Indicator, "required")
    evidence_required = Flag.of(Indicator, "evidence_required")
    minimum_requirement = Flag.of(Indicator, "minimum_requirement")
    translations = Translations(names=INDICATOR_TRANSLATED)
    answer_type = OneOf.of(Indicator, "answer_type", name="answer type", required=True)
    min_value = Number.of(Indicator, "min_value")
    max_value = Number.of(Indicator, "max_value")
    choices = Choices()
    max_points = WholeNumber.of(Indicator, "max_points", minimum=1, maximum=MAX_POINTS, allow_null=True)
    threshold = Threshold()

    def rules(self, values: dict[str, Any], given: Mapping[str, Any], problems: list[Problem]) -> dict[str, Any]:
        answer_type = values.get("answer_type")
        bounds = bounds_checked(values, answer_type, problems)
        choices_checked(values, answer_type, given.get("choices"), problems)
        if self.context.get("level") == Level.GOLD:
            gold_checked(given, problems)
        if values.get("threshold"):
            values["threshold"] = threshold_checked(values, answer_type, bounds, problems)
        return values


class IndicatorEditSerializer(IndicatorSerializer):
    """An indicator edited by ``indicator_update``: a file gives the position by order, an edit by number."""

    position = WholeNumber.of(Indicator, "position", skip_absent=True)


INDICATOR_KEYS = frozenset(IndicatorSerializer._declared_fields)
SECTION_EDITABLE = frozenset(SectionEditSerializer._declared_fields)
INDICATOR_EDITABLE = frozenset(IndicatorEditSerializer._declared_fields)
