"""The front door: what the labels are, who holds them, how to verify one and how to apply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django_countries import countries

from common.enums import Level
from common.scheme import eligibility_rules, rules_for
from labels import statistics as stats
from labels.certificates.rendering import LOOKS
from labels.figures import BY_COUNTRY, figures_read
from labels.registry import RegistryFilterForm

# What each level proves, in the scheme's own words (DOMAIN.md, "The three levels").
PROVES: dict[Level, str | Promise] = {
    Level.BRONZE: _("The cluster management organisation was benchmarked and wants to improve."),
    Level.SILVER: _("Improvements made since a Bronze benchmarking were verified by an auditor on site."),
    Level.GOLD: _("High professionalism, verified by two experts against the quality threshold of each indicator."),
}


@dataclass(frozen=True)
class LevelCard:
    level: Level
    motto: str
    proves: str | Promise
    months_valid: int
    renewal_extension_months: int
    holders: int
    countries: list[str]


def level_cards(rows: list[stats.CountryRow]) -> list[LevelCard]:
    """Each level with how many organisations hold it today, and where (from ``stats.by_country``)."""
    cards = []
    for level in Level:
        held_in = [row for row in rows if row.by_level.get(level.value)]
        rules = rules_for(level)
        cards.append(
            LevelCard(
                level=level,
                motto=LOOKS[level].motto,
                proves=PROVES[level],
                months_valid=rules.months_valid,
                renewal_extension_months=rules.renewal_extension_months,
                holders=sum(row.by_level[level.value] for row in held_in),
                countries=sorted(str(countries.name(row.country)) or row.country for row in held_in),
            )
        )
    return cards


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Public: signed-in people go on to their start page, visitors read the front door."""
    if request.user.is_authenticated:
        return redirect("accounts:start")
    # The statistics' per-country figure, as the worker stored it (labels.figures): one query.
    stored = figures_read(stats.Scope(countries=None), (BY_COUNTRY,))
    rows = [] if stored.missing else stored.by_country()
    form = RegistryFilterForm(auto_id="home-registry-%s")
    # Only the countries where someone holds a label: a visitor picks from those, not from the world.
    labelled = sorted((str(countries.name(row.country)) or row.country, row.country) for row in rows if row.labelled)
    cast(forms.ChoiceField, form.fields["country"]).choices = [("", _("Any")), *[(c, n) for n, c in labelled]]
    context = {"cards": level_cards(rows), "registry_form": form, "eligibility": eligibility_rules()}
    return render(request, "home.html", context)
