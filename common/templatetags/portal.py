"""Small template helpers every app uses."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import formats

from common import countries as countries_in_language
from common.workflow import may_move as workflow_may_move

register = template.Library()


@register.simple_tag(takes_context=True)
def may_move(context: template.Context, obj: Any, to_state: str) -> bool:
    """``{% may_move application 'in_quality_check' as can_check %}``: offer a move
    only when the door would take it from the person looking (never by comparing states)."""
    return workflow_may_move(obj, to_state, context["request"].user)


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes of a duration, rounded up: "blocked for 15 minutes"."""
    if not value:
        return 0
    return int(-(-value.total_seconds() // 60))


@register.filter
def absolute(value: int) -> int:
    """``{{ days|absolute }}``: how many, whichever side of a date ("expired 4 days ago", not "-4")."""
    return abs(value)


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key)


@register.filter
def country_name(code: str) -> str:
    return countries_in_language.country_name(code)


@register.filter
def plain(value: object) -> str:
    """A Decimal without exponent or trailing zeros: 100, not 1E+2 or 100.0000."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value)).normalize()
    return format(number, "f")


@register.filter
def percent(value: object, decimals: int | str | None = None) -> str:
    """A percentage as the active language writes it: "85 %" in English, "85,5 %" in Serbian.

    The sign and its spacing come from the locale's ``PERCENT_FORMAT`` (a
    no-break space in Serbian), the decimal separator from its number format.
    ``|percent:0`` fixes the decimal places; without it the number keeps its
    own, trailing zeros dropped (85.50 gives 85.5). Empty for None.
    """
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    places: int | None = None
    if decimals not in (None, ""):
        places = int(decimals)
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    else:
        number = Decimal(format(number.normalize(), "f"))
    pattern = str(formats.get_format("PERCENT_FORMAT"))
    if pattern == "PERCENT_FORMAT":  # a language without a format module of the portal's
        pattern = "{} %"
    return pattern.format(formats.number_format(number, decimal_pos=places))
