"""Schemathesis against the public API's own OpenAPI schema (/api/v1/schema/).

Generated requests (valid and invalid filters, pages, codes) go through the
WSGI application against seeded labels: no 5xx, and every response matches
the schema (status code, content type, body).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok

from escaportal.wsgi import application
from tests.factories import LabelFactory, OrganisationFactory

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "30"))
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


def seed() -> None:
    for country, level, score in [("RS", "bronze", None), ("DE", "gold", 93), ("HR", "silver", None)]:
        LabelFactory(organisation=OrganisationFactory(country=country), level=level, score=score)
    LabelFactory(code="RS-B-2013-7UTB", organisation=OrganisationFactory(country="RS"))


@pytest.fixture
def connection_kept_between_requests() -> Iterator[None]:
    """Schemathesis calls the WSGI application directly, which ends each request by
    closing the database connection (CONN_MAX_AGE=0 in CI), and with it the
    test's transaction. Django's test client disconnects that handler too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_api_answers_as_its_schema_says(db: None, connection_kept_between_requests: None) -> None:
    """Each operation of the schema, driven by Hypothesis (the pytest loader of
    schemathesis does not run under pytest 9, so the operations are walked here)."""
    seed()
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    assert sorted(operation.path for operation in operations) == ["/api/v1/labels/", "/api/v1/labels/{code}/"]

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case: schemathesis.Case[Any]) -> None:
            cache.clear()  # the per-address throttle would answer 429 after 120 requests
            case.call_and_validate(checks=CHECKS)

        call()
