"""Answer validation per answer type: raw form input in, stored JSON value out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from assessments.enums import AnswerType
from assessments.models import Indicator

MAX_TEXT = 5000
MAX_DIGITS = 12  # numbers from one trillion up are refused
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


class AnswerInvalid(ValueError):
    """The input cannot be stored; the message says why, for the person typing."""


def clean_answer(indicator: Indicator, raw: list[str]) -> Any:
    """Turn the submitted values of one indicator into the value to store.

    Empty input clears the answer (None). File indicators have no typed value:
    they are answered by their evidence.
    """
    values = [value.strip() for value in raw if value is not None]
    answer_type = AnswerType(indicator.answer_type)
    if answer_type == AnswerType.FILE:
        return None
    if answer_type == AnswerType.MULTIPLE_CHOICE:
        chosen = [value for value in values if value]
        _check_choices(indicator, chosen)
        return chosen or None
    value = values[0] if values else ""
    if value == "":
        return None
    cleaner = {
        AnswerType.INTEGER: _integer,
        AnswerType.DECIMAL: _decimal,
        AnswerType.PERCENTAGE: _percentage,
        AnswerType.YES_NO: _yes_no,
        AnswerType.SINGLE_CHOICE: _single_choice,
        AnswerType.TEXT: _text,
        AnswerType.DATE: _date,
    }[answer_type]
    return cleaner(indicator, value)


def is_answered(value: Any) -> bool:
    return value not in (None, "", [])


def _bounds(indicator: Indicator, number: Decimal) -> None:
    unit = f" {indicator.unit}" if indicator.unit else ""
    if indicator.min_value is not None and number < indicator.min_value:
        raise AnswerInvalid(_("Enter at least %(min)s%(unit)s.") % {"min": _plain(indicator.min_value), "unit": unit})
    if indicator.max_value is not None and number > indicator.max_value:
        raise AnswerInvalid(_("Enter at most %(max)s%(unit)s.") % {"max": _plain(indicator.max_value), "unit": unit})


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _number(value: str) -> Decimal:
    try:
        number = Decimal(value.replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise AnswerInvalid(_("Enter a number, such as 12 or 0.5.")) from None
    if not number.is_finite():
        raise AnswerInvalid(_("Enter a number, such as 12 or 0.5."))
    # Bounded before any conversion: 1e1000000 would keep a worker busy for minutes.
    if number != 0 and number.adjusted() >= MAX_DIGITS:
        raise AnswerInvalid(_("Enter a number below one trillion."))
    return number


def _decimal_places(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # a letter only for NaN and infinities, which _number refuses
    return -exponent


def _integer(indicator: Indicator, value: str) -> int:
    number = _number(value)
    if number != number.to_integral_value():
        raise AnswerInvalid(_("Enter a whole number, without decimals."))
    _bounds(indicator, number)
    return int(number)


def _decimal(indicator: Indicator, value: str) -> str:
    number = _number(value)
    if _decimal_places(number) > 4:
        raise AnswerInvalid(_("Enter a number with at most 4 decimals."))
    _bounds(indicator, number)
    return _plain(number)


def _percentage(indicator: Indicator, value: str) -> str:
    number = _number(value.rstrip("%").strip())
    if not Decimal(0) <= number <= Decimal(100):
        raise AnswerInvalid(_("Enter a percentage between 0 and 100."))
    if _decimal_places(number) > 2:
        raise AnswerInvalid(_("Enter a percentage with at most 2 decimals."))
    _bounds(indicator, number)
    return _plain(number)


def _yes_no(indicator: Indicator, value: str) -> bool:
    if value.lower() in ("yes", "true", "1"):
        return True
    if value.lower() in ("no", "false", "0"):
        return False
    raise AnswerInvalid(_("Answer yes or no."))


def _choice_values(indicator: Indicator) -> list[str]:
    return [str(choice["value"]) for choice in indicator.choices]


def _single_choice(indicator: Indicator, value: str) -> str:
    if value not in _choice_values(indicator):
        raise AnswerInvalid(_("Choose one of the options offered."))
    return value


def _check_choices(indicator: Indicator, chosen: list[str]) -> None:
    allowed = _choice_values(indicator)
    if any(value not in allowed for value in chosen):
        raise AnswerInvalid(_("Choose among the options offered."))
    if len(set(chosen)) != len(chosen):
        raise AnswerInvalid(_("Each option can be chosen once."))


def _text(indicator: Indicator, value: str) -> str:
    if len(value) > MAX_TEXT:
        raise AnswerInvalid(
            _("Keep the answer under %(n)d characters (it has %(m)d).") % {"n": MAX_TEXT, "m": len(value)}
        )
    return value


def _date(indicator: Indicator, value: str) -> str:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise AnswerInvalid(_("Enter a date as YYYY-MM-DD.")) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise AnswerInvalid(_("Enter a date between 1900 and 2100."))
    return day.isoformat()


def display(indicator: Indicator, value: Any) -> str:
    """An answer as a person reads it (for diffs and read-only pages)."""
    if not is_answered(value):
        return "—"
    labels = {str(choice["value"]): str(choice["label"]) for choice in indicator.tr_choices}
    if indicator.answer_type == AnswerType.YES_NO:
        return _("yes") if value else _("no")
    if indicator.answer_type == AnswerType.MULTIPLE_CHOICE:
        return ", ".join(labels.get(v, v) for v in value)
    if indicator.answer_type == AnswerType.SINGLE_CHOICE:
        return labels.get(value, value)
    if indicator.answer_type == AnswerType.PERCENTAGE:
        return f"{value} %"
    return f"{value} {indicator.unit}".strip() if indicator.unit else str(value)
