"""Small template helpers every app uses."""

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes of a duration, rounded up: "blocked for 15 minutes"."""
    if not value:
        return 0
    return int(-(-value.total_seconds() // 60))


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key)


@register.filter
def country_name(code: str) -> str:
    from django_countries import countries

    return str(countries.name(code)) or code


@register.filter
def plain(value: object) -> str:
    """A Decimal without exponent or trailing zeros: 100, not 1E+2 or 100.0000."""
    from decimal import Decimal

    if value is None or value == "":
        return ""
    number = Decimal(str(value)).normalize()
    return format(number, "f")
