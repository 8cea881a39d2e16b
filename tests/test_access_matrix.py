"""Every page the URL resolver knows, requested by every role: the answer must
be the one written in ``tests/access_matrix_table.py``.

A page without a line in the table fails ``test_every_page_has_a_row``. To add
one, write its line with ``?`` for the answers, run
``ACCESS_MATRIX_RECORD=1 pytest tests/test_access_matrix.py -k record -s``,
check the observed answers against what each role should get, and paste them.

The scenario is built once for the module inside an outer transaction; each
cell runs in its own savepoint (pytest-django's ``db``), so a POST that changes
something is undone before the next cell.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access_matrix_table import ROLES, TABLE, Row, fingerprint, scenario_fixture  # noqa: F401 (a fixture)

SKIPPED_PREFIXES = ("admin/",)
# The admin has its own login; a few cells say it stays closed to the portal's roles.
ADMIN_CELLS = [("anonymous", 302), ("manager", 302), ("office", 302), ("superuser", 200)]


def resolved_routes(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    """(name, route) of every pattern, namespaces joined with ':'."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace or "") if part)
            yield from resolved_routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = ":".join(part for part in (namespace, pattern.name or "") if part) if pattern.name else route
            yield name, route


def portal_routes() -> dict[str, str]:
    return {name: route for name, route in resolved_routes() if not route.startswith(SKIPPED_PREFIXES)}


CELLS = [(entry, role) for entry in TABLE for role in ROLES]


def request_as(scenario: SimpleNamespace, entry: Row, role: str) -> tuple[str, str]:
    """The observed token for one cell, and where a redirect went."""
    cache.clear()  # rate limits and throttles count per address in the cache
    client = Client()
    if role != "anonymous":
        client.force_login(scenario.users[role])
    url = reverse(entry.route, kwargs=entry.kwargs(scenario))
    response = client.post(url) if entry.method == "POST" else client.get(url)
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith(reverse("accounts:login") + "?next="):
        return "L", location
    return str(response.status_code), location


REFUSALS = {"L", "403", "404", "405", "410"}


@pytest.mark.parametrize(("entry", "role"), CELLS, ids=[f"{entry.key}-{role}" for entry, role in CELLS])
def test_cell(scenario: SimpleNamespace, db: None, entry: Row, role: str) -> None:
    refused_post = entry.method == "POST" and entry.expected[role] in REFUSALS
    before = fingerprint() if refused_post else None

    observed, location = request_as(scenario, entry, role)

    assert observed == entry.expected[role], (
        f"{entry.key} as {role}: got {observed} {location}, the table says {entry.expected[role]}"
    )
    if refused_post:
        assert fingerprint() == before, f"{entry.key} as {role} was refused but wrote something"


def test_every_page_has_a_row() -> None:
    covered = {entry.route for entry in TABLE}
    missing = [
        f"add an entry for {name} ({route}) in tests/access_matrix_table.py"
        for name, route in portal_routes().items()
        if name not in covered
    ]

    assert missing == []


def test_every_row_is_a_page() -> None:
    assert sorted({entry.route for entry in TABLE} - set(portal_routes())) == []


def test_rows_are_unique() -> None:
    keys = [entry.key for entry in TABLE]

    assert sorted({key for key in keys if keys.count(key) > 1}) == []


def test_number_of_cells(record_property: Callable[[str, object], None]) -> None:
    """The figure the issue asks for: how many (page, object, method, role) cells are checked."""
    record_property("access_matrix_cells", len(CELLS))
    print(f"access matrix: {len(TABLE)} rows x {len(ROLES)} roles = {len(CELLS)} cells")

    assert len(CELLS) == len(TABLE) * len(ROLES)
    assert len(TABLE) >= len(portal_routes())


@pytest.mark.parametrize(("role", "status"), ADMIN_CELLS)
def test_admin_needs_django_staff(scenario: SimpleNamespace, db: None, role: str, status: int) -> None:
    client = Client()
    if role != "anonymous":
        client.force_login(scenario.users[role])

    response = client.get(reverse("admin:index"))

    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.skipif(os.environ.get("ACCESS_MATRIX_RECORD") != "1", reason="set ACCESS_MATRIX_RECORD=1 to record")
def test_record(scenario: SimpleNamespace, db: None) -> None:
    """Print the table with the observed answers, to review and paste."""
    for entry in TABLE:
        tokens = []
        for role in ROLES:
            sid = transaction.savepoint()
            tokens.append(request_as(scenario, entry, role)[0])
            transaction.savepoint_rollback(sid)
        route, method = f'"{entry.route}",', f'"{entry.method}",'
        answers = " ".join(f"{token:<3}" for token in tokens).rstrip()
        print(f'    row({route:<44} {method:<7} "{answers}", {entry.obj}),')
