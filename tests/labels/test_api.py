"""The public JSON API of labels, and its OpenAPI schema."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import yaml
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries, Settings

from common.enums import Level
from labels.enums import LabelSource
from labels.models import Label
from labels.services import label_create
from tests.factories import OrganisationFactory


@pytest.fixture(autouse=True)
def no_throttle_memory() -> None:
    cache.clear()


def labelled(name: str, country: str, level: Level, assessed_on: date, score: Decimal | None = None) -> Label:
    return label_create(
        organisation=OrganisationFactory(name=name, country=country),
        level=level,
        assessed_on=assessed_on,
        source=LabelSource.IMPORT,
        score=score,
    )


def test_list_is_paginated_and_holds_history(client: Client, db: None, settings: Settings) -> None:
    gold = labelled("Gold Cluster", "DE", Level.GOLD, timezone.localdate(), score=Decimal("93.00"))
    labelled("Lapsed Cluster", "RS", Level.BRONZE, date(2012, 4, 18))

    body = client.get("/api/v1/labels/").json()

    assert sorted(body) == ["count", "next", "previous", "results"]
    assert body["count"] == 2
    assert body["results"][0] == {
        "code": gold.code,
        "organisation": "Gold Cluster",
        "country": "DE",
        "level": "gold",
        "assessed_on": gold.assessed_on.isoformat(),
        "valid_from": gold.valid_from.isoformat(),
        "valid_until": gold.valid_until.isoformat(),
        "score": 93.0,
        "state": "valid",
        "verify_url": f"{settings.SITE_URL}/verify/{gold.code}/",
    }
    assert body["results"][1]["state"] == "lapsed"


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"country": "rs"}, ["Lapsed Cluster"]),
        ({"level": "gold"}, ["Gold Cluster"]),
        ({"state": "lapsed"}, ["Lapsed Cluster"]),
        ({"q": "GOLD"}, ["Gold Cluster"]),
    ],
)
def test_list_filters(client: Client, db: None, query: dict[str, str], names: list[str]) -> None:
    labelled("Gold Cluster", "DE", Level.GOLD, timezone.localdate(), score=Decimal("93.00"))
    labelled("Lapsed Cluster", "RS", Level.BRONZE, date(2012, 4, 18))

    results = client.get("/api/v1/labels/", query).json()["results"]

    assert [r["organisation"] for r in results] == names


def test_bad_filter_value_is_a_clear_400(client: Client, db: None) -> None:
    response = client.get("/api/v1/labels/", {"state": "shiny"})

    assert response.status_code == 400
    assert "state" in response.json()


def test_detail_by_code_and_unknown_code(client: Client, db: None) -> None:
    label = labelled("Gold Cluster", "DE", Level.GOLD, timezone.localdate(), score=Decimal("93.00"))

    assert client.get(f"/api/v1/labels/{label.code}/").json()["code"] == label.code
    assert client.get("/api/v1/labels/XX-B-2000-ZZZZ/").status_code == 404


@pytest.mark.parametrize("size", [2, 20])
def test_list_queries_do_not_grow(
    client: Client, db: None, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    for n in range(size):
        labelled(f"Cluster {n}", "DE", Level.BRONZE, timezone.localdate())

    with django_assert_num_queries(4):  # the count and the page, inside the request's savepoint pair
        body = client.get("/api/v1/labels/").json()

    assert len(body["results"]) == size


def test_schema_describes_the_label_endpoints(client: Client, db: None) -> None:
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)

    assert sorted(p for p in schema["paths"] if p.startswith("/api/v1/labels")) == [
        "/api/v1/labels/",
        "/api/v1/labels/{code}/",
    ]
    assert schema["components"]["schemas"]["StateEnum"]["enum"] == [
        "valid",
        "expiring",
        "renewable",
        "lapsed",
        "revoked",
        "superseded",
    ]


def test_docs_page_works_offline(client: Client, db: None) -> None:
    html = client.get("/api/v1/docs/").content.decode()

    assert "cdn" not in html.lower()
