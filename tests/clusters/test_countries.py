"""The countries with organisations, walked along the index from one country to the next:
the same list as reading every organisation, one probe per country."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clusters.models import ClusterOrganisation
from clusters.selectors import countries_with_organisations
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_no_organisation_no_country() -> None:
    assert countries_with_organisations() == []


def test_every_country_once_in_order_in_one_query() -> None:
    for country, count in (("RS", 3), ("AT", 1), ("DE", 2), ("ME", 1), ("ZA", 1)):
        for _ in range(count):
            OrganisationFactory(country=country)

    with CaptureQueriesContext(connection) as queries:
        countries = countries_with_organisations()

    every = sorted({str(code) for code in ClusterOrganisation.objects.values_list("country", flat=True)})
    assert countries == every == ["AT", "DE", "ME", "RS", "ZA"]
    assert len(queries.captured_queries) == 1
