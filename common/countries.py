"""Country names in the reader's language, translated and sorted once per language.

django-countries translates and sorts its 250 names on every iteration and
translates on every ``countries.name``; a statistics page asked 60 names (2 ms)
and the registry's filter all 250 per request.
"""

from __future__ import annotations

import functools

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries


def country_choices() -> tuple[tuple[str, str], ...]:
    """Every country as (code, name), sorted by name in the active language."""
    return _choices(get_language() or "")


def country_choices_with_any() -> tuple[tuple[str, str], ...]:
    """``country_choices`` after an empty "Any" choice, for filters."""
    return _choices_with_any(get_language() or "")


def country_name(code: str) -> str:
    """The country's name in the active language; the code itself when it names no country."""
    return _names(get_language() or "").get(str(code)) or str(countries.name(code)) or str(code)


@functools.lru_cache(maxsize=8)
def _choices(language: str) -> tuple[tuple[str, str], ...]:
    return tuple((str(code), str(name)) for code, name in countries)


@functools.lru_cache(maxsize=8)
def _choices_with_any(language: str) -> tuple[tuple[str, str], ...]:
    return (("", str(_("Any"))), *_choices(language))


@functools.lru_cache(maxsize=8)
def _names(language: str) -> dict[str, str]:
    return dict(_choices(language))
