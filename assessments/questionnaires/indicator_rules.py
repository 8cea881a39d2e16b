"""The rules across an indicator's fields: bounds against the answer type, choices, Gold's points and
threshold, the threshold against the answer type, bounds and choices.

Each takes the values that passed their own fields' checks (a value that did
not is absent) or, where a rule counts what was given, the value as it came,
and adds a (field path, message) per broken rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from assessments.enums import CHOICE_TYPES, NUMERIC_TYPES, AnswerType, ThresholdKind
from assessments.questionnaires.display import plain_number
from assessments.questionnaires.fields import Problem, json_number

# Which answers each kind of threshold can judge.
THRESHOLD_ANSWERS = {
    ThresholdKind.AT_LEAST: NUMERIC_TYPES,
    ThresholdKind.AT_MOST: NUMERIC_TYPES,
    ThresholdKind.YES: frozenset({AnswerType.YES_NO}),
    ThresholdKind.CHOICE_IN: CHOICE_TYPES,
    ThresholdKind.ANSWERED: frozenset(AnswerType),
}

Bounds = tuple[Decimal | None, Decimal | None]


def bounds_checked(values: dict[str, Any], answer_type: str | None, problems: list[Problem]) -> Bounds:
    """The bounds against the answer type; returns the bounds a threshold can be held to."""
    if answer_type is not None and answer_type not in NUMERIC_TYPES:
        for name in ("min_value", "max_value"):
            if values.get(name) is not None:
                problems.append((name, f"only integer, decimal and percentage answers have bounds, not {answer_type}"))
        return None, None
    minimum, maximum = values.get("min_value"), values.get("max_value")
    for name, value in (("min_value", minimum), ("max_value", maximum)):
        if value is None:
            continue
        if answer_type == AnswerType.INTEGER and value != value.to_integral_value():
            problems.append((name, f"must be a whole number for an integer answer, not {plain_number(value)}"))
        if answer_type == AnswerType.PERCENTAGE and not Decimal(0) <= value <= Decimal(100):
            problems.append((name, f"must be between 0 and 100 for a percentage, not {plain_number(value)}"))
    if minimum is not None and maximum is not None and minimum > maximum:
        message = f"must not be greater than max_value ({plain_number(minimum)} > {plain_number(maximum)})"
        problems.append(("min_value", message))
    return minimum, maximum


def choices_checked(values: dict[str, Any], answer_type: str | None, given: Any, problems: list[Problem]) -> None:
    """The choices against the answer type, counted as given (a broken choice is reported at its place
    and still counts); their translations against the valid ones."""
    given = [] if given is None else given
    if not isinstance(given, list):  # refused as a whole
        return
    if answer_type in CHOICE_TYPES and len(given) < 2:
        problems.append(("choices", f"a {answer_type} answer needs at least two choices"))
    elif answer_type is not None and answer_type not in CHOICE_TYPES and given:
        problems.append(("choices", f"only single_choice and multiple_choice answers have choices, not {answer_type}"))
        return
    known = {choice["value"] for choice in values.get("choices") or []}
    # Checked only against valid choices: a broken choice list is reported once, above.
    for language, texts in (values.get("translations") or {}).items() if known else ():
        unknown = sorted(set(texts.get("choices", {})) - known)
        if unknown:
            problems.append((f"translations.{language}.choices", f"not among the choices: {', '.join(unknown)}"))


def gold_checked(given: Mapping[str, Any], problems: list[Problem]) -> None:
    """What every Gold indicator has: points and a threshold (one that is not an object is none)."""
    if given.get("max_points") is None:
        problems.append(("max_points", "is missing: every Gold indicator scores points"))
    threshold = given.get("threshold")
    if not (isinstance(threshold, Mapping) and threshold):
        problems.append(("threshold", "is missing: every Gold indicator is scored against a threshold"))


def threshold_checked(
    values: dict[str, Any], answer_type: str | None, bounds: Bounds, problems: list[Problem]
) -> dict[str, Any]:
    """The threshold against the indicator; returns it as stored (its value a JSON number)."""
    threshold: dict[str, Any] = values["threshold"]
    kind = threshold["kind"]
    allowed = THRESHOLD_ANSWERS[kind]
    if answer_type is not None and answer_type not in allowed:
        problems.append(("threshold.kind", f"{kind} needs a {' or '.join(sorted(allowed))} answer, not {answer_type}"))
    known = {choice["value"] for choice in values.get("choices") or []}
    unknown = [value for value in threshold.get("choices", []) if value not in known]
    if known and unknown:
        problems.append(("threshold.choices", f"not among the indicator's choices: {', '.join(unknown)}"))
    if threshold.get("value") is None:
        return threshold
    _threshold_value_checked(kind, threshold["value"], answer_type, bounds, problems)
    return {**threshold, "value": json_number(threshold["value"])}


def _threshold_value_checked(
    kind: str, value: Decimal, answer_type: str | None, bounds: Bounds, problems: list[Problem]
) -> None:
    minimum, maximum = bounds
    if answer_type == AnswerType.INTEGER and value != value.to_integral_value():
        problems.append(("threshold.value", f"must be a whole number for an integer answer, not {value}"))
    if kind == ThresholdKind.AT_LEAST and maximum is not None and value > maximum:
        message = f"can never be met: at least {plain_number(value)} but max_value is {plain_number(maximum)}"
        problems.append(("threshold.value", message))
    if kind == ThresholdKind.AT_MOST and minimum is not None and value < minimum:
        message = f"can never be met: at most {plain_number(value)} but min_value is {plain_number(minimum)}"
        problems.append(("threshold.value", message))
