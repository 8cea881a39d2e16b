"""The public registry: current labels by default, filters, history, constant queries."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from common.enums import Level
from labels.enums import LabelSource
from labels.models import Label
from labels.services import label_create
from tests.factories import OrganisationFactory


def labelled(name: str, country: str, level: Level, assessed_on: date) -> Label:
    organisation = OrganisationFactory(name=name, country=country)
    return label_create(organisation=organisation, level=level, assessed_on=assessed_on, source=LabelSource.IMPORT)


def test_registry_shows_current_labels_by_default(client: Client, db: None) -> None:
    labelled("Current Cluster", "DE", Level.GOLD, timezone.localdate())
    labelled("Lapsed Cluster", "RS", Level.BRONZE, date(2012, 4, 18))

    default = client.get(reverse("registry"))
    history = client.get(reverse("registry"), {"state": ""})

    assert [label.organisation.name for label in default.context["page"]] == ["Current Cluster"]
    assert sorted(label.organisation.name for label in history.context["page"]) == ["Current Cluster", "Lapsed Cluster"]


def test_registry_filters_by_country_level_and_name(client: Client, db: None) -> None:
    labelled("Alpha Cluster", "DE", Level.GOLD, timezone.localdate())
    labelled("Beta Cluster", "DE", Level.BRONZE, timezone.localdate())
    labelled("Gamma Cluster", "AT", Level.GOLD, timezone.localdate())

    response = client.get(reverse("registry"), {"country": "DE", "level": "gold", "q": "alp"})

    assert [label.organisation.name for label in response.context["page"]] == ["Alpha Cluster"]


def test_lapsed_state_filter_finds_the_serbian_story(client: Client, db: None) -> None:
    labelled("Lapsed Cluster", "RS", Level.BRONZE, date(2012, 4, 18))

    response = client.get(reverse("registry"), {"state": "lapsed", "country": "RS"})

    assert [label.state for label in response.context["page"]] == ["lapsed"]


def test_public_organisation_page_lists_its_label_history(client: Client, db: None) -> None:
    first = labelled("History Cluster", "HR", Level.BRONZE, date(2016, 5, 19))
    label_create(
        organisation=first.organisation, level=Level.BRONZE, assessed_on=date(2018, 9, 3), source=LabelSource.IMPORT
    )

    response = client.get(reverse("registry_organisation", args=[first.organisation.slug]))

    assert [label.state for label in response.context["labels"]] == ["lapsed", "superseded"]


def test_organisation_without_label_is_not_public(client: Client, db: None) -> None:
    organisation = OrganisationFactory()

    assert client.get(reverse("registry_organisation", args=[organisation.slug])).status_code == 404


@pytest.mark.parametrize("size", [3, 30])
def test_registry_queries_do_not_grow(
    client: Client, db: None, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    for n in range(size):
        labelled(f"Cluster {n}", "DE", Level.BRONZE, timezone.localdate())

    # The data's version (ETag), the total, the sector choices, the page; the request's savepoint pair.
    with django_assert_num_queries(6):
        response = client.get(reverse("registry"))

    assert len(response.context["page"]) == size


def test_registry_speaks_the_readers_language_in_every_cell_and_option(client: Client, db: None) -> None:
    """States, sort options and the empty choice of every filter are words of the page's language, never codes."""
    labelled("Lapsed Cluster", "RS", Level.BRONZE, date(2012, 4, 18))

    page = client.get(reverse("registry"), {"state": ""}, HTTP_ACCEPT_LANGUAGE="sr-latn").content.decode()
    cells = re.findall(r"<td>([^<]*)</td>", page)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", page)

    assert "Propale" in cells and "lapsed" not in cells
    assert "---------" not in options
    assert {"Organizacija", "Zemlja", "Nivo", "Važi do"} <= set(options)
    assert "valid until" not in options and "name" not in options
    assert options.count("Bilo koji") == 3  # country, level, sector


def test_the_filters_show_what_was_chosen_and_the_rows_link_their_pages(client: Client, db: None) -> None:
    label = labelled("<b>Bold</b> & Co Cluster", "RS", Level.GOLD, timezone.localdate())
    chosen = {"country": "RS", "level": "gold", "sort": "level", "state": "valid"}

    page = client.get(reverse("registry"), chosen).content.decode()

    # Country, level, sector (none: "Any"), state, sort: one chosen option each.
    assert re.findall(r'<option value="([^"]*)" selected>', page) == ["RS", "gold", "", "valid", "level"]
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co Cluster" in page and "<b>Bold" not in page
    assert f'href="{reverse("registry_organisation", args=[label.organisation.slug])}"' in page
    assert f'href="{reverse("verify", args=[label.code])}"' in page
    assert "<td>Serbia</td>" in page
