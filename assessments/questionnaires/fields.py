"""Strict fields for the values of a questionnaire's JSON document, on Django REST framework.

A document is written by people: a value of the wrong type is refused with a
reason, never coerced ("yes" is not true, "5" is not a number). The limits are
the models' own (a CharField's ``max_length``, a DecimalField's digits, a
PositiveSmallIntegerField's range), read from the model fields with ``of``, so
a value that passes here fits the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from rest_framework import serializers
from rest_framework.fields import SkipField, empty

# Codes appear in URLs (/a/<pk>/s/<code>/) and in Silver's references to
# Bronze indicators: keep them to a safe alphabet.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

Problem = tuple[str | None, str]  # (field path, message); no path: the object as a whole


def model_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", model._meta.get_field(name))


def integer_range(field: models.Field[Any, Any]) -> tuple[int, int]:
    """What an integer column holds, from the model field's own validators (the database's range)."""
    low = max(validator.limit_value for validator in field.validators if isinstance(validator, MinValueValidator))
    high = min(validator.limit_value for validator in field.validators if isinstance(validator, MaxValueValidator))
    return int(low), int(high)


def json_number(value: Decimal | None) -> int | float | None:
    """A model decimal as JSON, which has no decimal type: the model keeps 4 places, which a float
    holds exactly enough to round-trip."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class JsonField(serializers.Field):
    """A value of a JSON document, taken as it is.

    A missing key is refused as missing when ``required``, left out of the
    values when ``skip_absent``, and otherwise read as ``absent`` (null), so
    each field says what a missing value means.
    """

    default_error_messages = {"required": "is missing"}
    absent: Any = None

    def __init__(self, *, skip_absent: bool = False, **kwargs: Any) -> None:
        self.skip_absent = skip_absent
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        if data is not empty:
            return False, data
        if self.required:
            self.fail("required")
        if self.skip_absent:
            raise SkipField
        return False, self.absent

    def to_internal_value(self, data: Any) -> Any:
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class Text(JsonField):
    """Text, stripped; optionally required and limited in length."""

    default_error_messages = {
        "not_text": "must be text, not {kind}",
        "blank": "is missing",
        "too_long": "is {length} characters long; at most {max_length}",
    }

    def __init__(
        self, *, max_length: int | None = None, allow_blank: bool = True, trim: bool = True, **kwargs: Any
    ) -> None:
        self.max_length, self.allow_blank, self.trim = max_length, allow_blank, trim
        super().__init__(**kwargs)

    @classmethod
    def of(cls, model: type[models.Model], name: str, **kwargs: Any) -> Text:
        field = model_field(model, name)
        kwargs.setdefault("allow_blank", field.blank)
        return cls(max_length=field.max_length, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        if data is None:
            data = ""
        if not isinstance(data, str):
            self.fail("not_text", kind=type(data).__name__)
        text = data.strip() if self.trim else data
        if not self.allow_blank and not data.strip():
            self.fail("blank")
        if self.max_length is not None and len(text) > self.max_length:
            self.fail("too_long", length=len(text), max_length=self.max_length)
        return text


class Code(JsonField):
    """A section's or an indicator's code: required, in the safe alphabet."""

    default_error_messages = {"invalid": "must be 1 to {max_length} letters, digits, '.', '-' or '_', not {value!r}"}

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        self.max_length = max_length
        super().__init__(required=True, **kwargs)

    @classmethod
    def of(cls, model: type[models.Model], name: str = "code") -> Code:
        return cls(max_length=cast(int, model_field(model, name).max_length))

    def to_internal_value(self, data: Any) -> str:
        if data is None:
            self.fail("required")
        code = data.strip() if isinstance(data, str) else ""
        if not code or len(code) > self.max_length or not CODE_PATTERN.match(code):
            self.fail("invalid", max_length=self.max_length, value=data)
        return code


class Flag(JsonField):
    """true or false; a missing flag takes the model's default, null is refused."""

    default_error_messages = {"not_a_flag": "must be true or false, not {value!r}"}

    def __init__(self, *, when_absent: bool, **kwargs: Any) -> None:
        self.absent = when_absent
        super().__init__(**kwargs)

    @classmethod
    def of(cls, model: type[models.Model], name: str) -> Flag:
        return cls(when_absent=bool(model_field(model, name).default))

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("not_a_flag", value=data)
        return data


class Number(JsonField):
    """A JSON number (not a string, not a boolean) that fits a DecimalField; null allowed."""

    default_error_messages = {
        "not_a_number": "must be a number, not {value!r}",
        "too_large": "must be a number below {limit:,}, not {value!r}",
        "too_precise": "must have at most {places} decimal places, not {value!r}",
    }

    def __init__(self, *, max_digits: int, decimal_places: int, **kwargs: Any) -> None:
        self.max_digits, self.decimal_places = max_digits, decimal_places
        super().__init__(**kwargs)

    @classmethod
    def of(cls, model: type[models.Model], name: str) -> Number:
        field = cast("models.DecimalField[Any, Any]", model_field(model, name))
        return cls(max_digits=field.max_digits, decimal_places=field.decimal_places)

    def to_internal_value(self, data: Any) -> Decimal | None:
        if data is None:
            return None
        # bool is an int in Python, and a string would hide a typo: both refused.
        if isinstance(data, bool) or not isinstance(data, int | float | Decimal):
            self.fail("not_a_number", value=data)
        try:
            number = Decimal(str(data))
        except InvalidOperation:
            number = Decimal("NaN")
        limit = Decimal(10) ** (self.max_digits - self.decimal_places)
        if not number.is_finite() or abs(number) >= limit:
            self.fail("too_large", limit=limit, value=data)
        if number != number.quantize(Decimal(1).scaleb(-self.decimal_places)):
            self.fail("too_precise", places=self.decimal_places, value=data)
        return number


class WholeNumber(JsonField):
    """A JSON integer (not a boolean) from ``minimum``, up to ``maximum`` when there is one."""

    default_error_messages = {
        "out_of_range": "must be a whole number from {minimum} to {maximum}, not {value!r}",
        "too_small": "must be a whole number from {minimum}, not {value!r}",
    }

    def __init__(self, *, minimum: int, maximum: int | None = None, **kwargs: Any) -> None:
        self.minimum, self.maximum = minimum, maximum
        super().__init__(**kwargs)

    @classmethod
    def of(
        cls,
        model: type[models.Model],
        name: str,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
        **kwargs: Any,
    ) -> WholeNumber:
        """The column's range, narrowed by the rule's ``minimum`` and ``maximum`` where it has them."""
        low, high = integer_range(model_field(model, name))
        return cls(
            minimum=low if minimum is None else max(low, minimum),
            maximum=high if maximum is None else min(high, maximum),
            **kwargs,
        )

    def to_internal_value(self, data: Any) -> int | None:
        if data is None and self.allow_null:
            return None
        if (
            isinstance(data, bool)
            or not isinstance(data, int)
            or data < self.minimum
            or (self.maximum is not None and data > self.maximum)
        ):
            self.fail("too_small" if self.maximum is None else "out_of_range", **self._limits(data))
        return data

    def _limits(self, value: Any) -> dict[str, Any]:
        return {"minimum": self.minimum, "maximum": self.maximum, "value": value}


class OneOf(JsonField):
    """One of a list of values (a model field's choices); null only when ``allow_null``."""

    default_error_messages = {"unknown": "unknown {name} {value!r}; expected one of {expected}"}

    def __init__(self, *, values: Iterable[str], name: str, **kwargs: Any) -> None:
        self.values, self.name = list(values), name
        super().__init__(**kwargs)

    @classmethod
    def of(cls, model: type[models.Model], field_name: str, *, name: str, **kwargs: Any) -> OneOf:
        choices = model_field(model, field_name).choices or []
        return cls(values=[str(value) for value, _label in choices], name=name, **kwargs)

    def to_internal_value(self, data: Any) -> str | None:
        if data is None and self.allow_null:
            return None
        if data not in self.values:
            self.fail("unknown", name=self.name, value=data, expected=", ".join(self.values))
        return cast(str, data)


class Items(JsonField):
    """A non-empty list, returned as it is: the caller checks each item, naming its place."""

    default_error_messages = {"not_a_list": "must be a non-empty list of {what}"}

    def __init__(self, *, what: str, **kwargs: Any) -> None:
        self.what = what
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> list[Any]:
        if not isinstance(data, list) or not data:
            self.fail("not_a_list", what=self.what)
        return data


class ChoiceLabels(JsonField):
    """A translation's choice labels, keyed by choice value; empty labels are dropped."""

    default_error_messages = {"invalid": 'must map choice values to labels: {{"a": "..."}}'}

    def to_internal_value(self, data: Any) -> dict[str, str]:
        if data is None:
            return {}
        if not isinstance(data, Mapping) or not all(
            isinstance(key, str) and isinstance(label, str) for key, label in data.items()
        ):
            self.fail("invalid")
        return {key: label.strip() for key, label in data.items() if label.strip()}
