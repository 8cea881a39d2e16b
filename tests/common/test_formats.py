"""Dates and percentages as each language writes them (escaportal/formats and the ``percent`` filter)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from common.templatetags.portal import percent

LINE = Template(
    "{% load portal %}"
    '{{ day|date:"SHORT_DATE_FORMAT" }} · {{ moment|date:"SHORT_DATETIME_FORMAT" }} · {{ day|date }} · '
    "{{ score|percent }} · {{ share|percent:0 }}"
)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "2026-03-05 · 2026-11-25 14:30 · 2026-03-05 · 85.5 % · 67 %"),
        ("sr-latn", "05.03.2026. · 25.11.2026. 14:30 · 5. marta 2026. · 85,5\u00a0% · 67\u00a0%"),
        ("sr", "05.03.2026. · 25.11.2026. 14:30 · 5. марта 2026. · 85,5\u00a0% · 67\u00a0%"),
    ],
)
def test_dates_and_percentages_follow_the_language(language: str, expected: str) -> None:
    context = Context(
        {
            "day": date(2026, 3, 5),
            "moment": datetime(2026, 11, 25, 14, 30),
            "score": Decimal("85.50"),
            "share": 66.6667,
        }
    )

    with translation.override(language):
        assert LINE.render(context) == expected


def test_percent_of_nothing_is_empty() -> None:
    assert (percent(None), percent("")) == ("", "")
