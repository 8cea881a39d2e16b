"""The front door: what the labels are, who holds them today and where, how to verify and apply."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from common.enums import Level
from labels.enums import LabelSource
from labels.figures import figures_refresh
from labels.models import Label
from labels.services import label_create
from tests.factories import OrganisationFactory, UserFactory


def _label(country: str, level: Level, assessed_on: date | None = None) -> Label:
    return label_create(
        organisation=OrganisationFactory(country=country),
        level=level,
        assessed_on=assessed_on or timezone.localdate(),
        source=LabelSource.APPLICATION,
    )


@pytest.fixture
def holders(db: None) -> None:
    both = _label("RS", Level.BRONZE).organisation
    _label("RS", Level.BRONZE)
    # An organisation holding two levels counts once at each.
    label_create(organisation=both, level=Level.GOLD, assessed_on=timezone.localdate(), source=LabelSource.APPLICATION)
    _label("DE", Level.BRONZE)
    _label("HR", Level.GOLD)
    # Neither counts: a revoked label, and one that ran out years ago.
    revoked = _label("AT", Level.GOLD)
    Label.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    _label("FR", Level.SILVER, assessed_on=date(2015, 3, 1))


def test_home_says_what_each_level_is_and_how_many_hold_it_where(client: Client, holders: None) -> None:
    response = client.get(reverse("home"))

    assert response.status_code == 200
    cards = {card.level: card for card in response.context["cards"]}
    assert (cards[Level.BRONZE].holders, cards[Level.BRONZE].countries) == (3, ["Germany", "Serbia"])
    assert (cards[Level.SILVER].holders, cards[Level.SILVER].countries) == (0, [])
    assert (cards[Level.GOLD].holders, cards[Level.GOLD].countries) == (2, ["Croatia", "Serbia"])
    content = response.content.decode()
    for motto in (
        "Striving for Cluster Excellence",
        "Dedicated to Cluster Excellence",
        "Proven for Cluster Excellence",
    ):
        assert motto in content
    assert "in 2 countries: Germany, Serbia" in content
    assert f'action="{reverse("verify_search")}"' in content
    assert f'action="{reverse("registry")}"' in content
    assert 'name="code"' in content and 'name="q"' in content and 'name="country"' in content
    assert f'href="{reverse("accounts:signup")}"' in content
    # The registry search offers the countries where labels are held, not the world.
    assert [value for value, _name in response.context["registry_form"].fields["country"].choices] == [
        "",
        "HR",
        "DE",
        "RS",
    ]


def test_home_reads_in_serbian(client: Client, holders: None) -> None:
    response = client.get(reverse("home"), headers={"accept-language": "sr-latn"})

    content = response.content.decode()
    assert 'lang="sr-latn"' in content
    assert "Težnja ka izvrsnosti klastera" in content
    assert "Proveri oznaku" in content


@pytest.mark.parametrize("extra", [0, 20])
def test_home_reads_one_stored_row_at_any_volume(
    client: Client, holders: None, django_assert_num_queries: DjangoAssertNumQueries, extra: int
) -> None:
    for _ in range(extra):
        _label("SI", Level.SILVER)
    figures_refresh()  # what the worker does after the labels change

    # The statistics' per-country figure as the worker stored it; the request's savepoint pair.
    with django_assert_num_queries(3):
        response = client.get(reverse("home"))
    cards = {card.level: card for card in response.context["cards"]}
    assert cards[Level.SILVER].holders == extra


def test_home_sends_signed_in_people_to_their_start_page(client: Client, db: None) -> None:
    client.force_login(UserFactory())

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:start")
