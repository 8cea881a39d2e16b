"""Every page the URL resolver knows, requested by every role: the answer must
be the one written in ``tests/access_matrix_table.py``.

A page without a line in the table fails ``test_every_page_has_a_row``. To add
one, write its line with the answers each role should get by the scheme's
roles (the block above the table says who may do what), and for a POST its
valid body (``tests/bodies.py``) and its effect (``tests/effects.py``).

Every POST cell posts the valid body, so a refusal is the permission's and not
the form's, and is checked either way: an allowed cell must change the row's
effect (the action happened); a refused one (L, 403, 404, 405, 410, or a code
marked ``=``) must leave the effect and the whole ``fingerprint`` (every
portal table's row count, including the one history) unchanged.
A refused cell is posted once more with an empty body
(``test_refusal_comes_before_the_form``): the answer must be the same refusal,
since the permission is asked before the form.

``ACCESS_MATRIX_OBSERVE=1 pytest tests/test_access_matrix.py -k observe -s``
prints, for review only, the rows whose observed answers differ from the
table. It is not where the table comes from: the table is written by hand.

The scenario is built once for the module inside an outer transaction; each
cell runs in its own savepoint (pytest-django's ``db``), so a POST that changes
something, and its preparation, are undone before the next cell.
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

from tests.access_matrix_table import (  # noqa: F401 (a fixture)
    IDLE_POST_ROWS,
    ROLES,
    TABLE,
    Row,
    fingerprint,
    scenario_fixture,
)

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
QUIET = "="  # after a code: the answer, and nothing written
REFUSALS = {"L", "403", "404", "405", "410"}


def writes_nothing(expected: str) -> bool:
    return expected in REFUSALS or expected.endswith(QUIET)


def client_for(scenario: SimpleNamespace, role: str) -> Client:
    cache.clear()  # rate limits and throttles count per address in the cache
    client = Client()
    if role != "anonymous":
        client.force_login(scenario.users[role])
    return client


def answer(client: Client, scenario: SimpleNamespace, entry: Row, *, empty: bool = False) -> tuple[str, str]:
    """The observed token for one request (a POST sends the row's valid body, or nothing), and where a redirect went."""
    url = reverse(entry.route, kwargs=entry.kwargs(scenario))
    if entry.method == "POST":
        assert entry.body is not None
        response = client.post(url, {} if empty else entry.body(scenario))
    else:
        response = client.get(url)
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith(reverse("accounts:login") + "?next="):
        return "L", location
    return str(response.status_code), location


@pytest.mark.parametrize(("entry", "role"), CELLS, ids=[f"{entry.key}-{role}" for entry, role in CELLS])
def test_cell(scenario: SimpleNamespace, db: None, entry: Row, role: str) -> None:
    expected = entry.expected[role]
    client = client_for(scenario, role)
    if entry.method != "POST":
        observed, location = answer(client, scenario, entry)
        assert observed == expected, f"{entry.key} as {role}: got {observed} {location}, the table says {expected}"
        return

    assert entry.effect is not None
    if entry.prepare is not None:
        entry.prepare(scenario)
    before, effect_before = fingerprint(), entry.effect(scenario)

    observed, location = answer(client, scenario, entry)

    assert observed == expected.removesuffix(QUIET), (
        f"{entry.key} as {role}: got {observed} {location}, the table says {expected}"
    )
    effect_after = entry.effect(scenario)
    if writes_nothing(expected):
        assert effect_after == effect_before, f"{entry.key} as {role} was refused but did it ({entry.effect.__name__})"
        assert fingerprint() == before, f"{entry.key} as {role} was refused but wrote something"
    else:
        assert effect_after != effect_before, (
            f"{entry.key} as {role} was allowed but {entry.effect.__name__} did not change: the action did not happen"
        )


def test_every_post_row_has_a_body_and_an_effect() -> None:
    missing = [
        f"{entry.key}: name its body (tests/bodies.py, or bodies.no_input) and its effect (tests/effects.py)"
        for entry in TABLE
        if entry.method == "POST" and (entry.body is None or entry.effect is None)
    ]

    assert missing == []


def test_get_rows_carry_no_body() -> None:
    assert [entry.key for entry in TABLE if entry.method == "GET" and entry.body is not None] == []


def test_every_allowed_post_is_somebody_s() -> None:
    """A POST row where every role is refused proves no permission: say which object would let someone act."""
    idle = [
        entry.key
        for entry in TABLE
        if entry.method == "POST" and all(writes_nothing(token) for token in entry.expected.values())
    ]

    assert sorted(idle) == sorted(IDLE_POST_ROWS)


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


@pytest.mark.skipif(os.environ.get("ACCESS_MATRIX_OBSERVE") != "1", reason="set ACCESS_MATRIX_OBSERVE=1 to print")
def test_observe(scenario: SimpleNamespace, db: None) -> None:
    """For review only: print the rows whose observed answers differ from the hand-written table
    (a POST cell that wrote nothing is shown with ``=``). Never paste them in unread."""
    for entry in TABLE:
        tokens = []
        for role in ROLES:
            sid = transaction.savepoint()
            client = client_for(scenario, role)
            if entry.prepare is not None:
                entry.prepare(scenario)
            before = fingerprint()
            token = answer(client, scenario, entry)[0]
            if entry.method == "POST" and token not in REFUSALS and fingerprint() == before:
                token += QUIET
            tokens.append(token)
            transaction.savepoint_rollback(sid)
        if tokens != [entry.expected[role] for role in ROLES]:
            expected = " ".join(f"{entry.expected[role]:<4}" for role in ROLES).rstrip()
            observed = " ".join(f"{token:<4}" for token in tokens).rstrip()
            print(f"{entry.key}\n    table:    {expected}\n    observed: {observed}")


REFUSED_POST_CELLS = [
    (entry, role) for entry, role in CELLS if entry.method == "POST" and entry.expected[role] in REFUSALS
]


@pytest.mark.parametrize(
    ("entry", "role"), REFUSED_POST_CELLS, ids=[f"{entry.key}-{role}" for entry, role in REFUSED_POST_CELLS]
)
def test_refusal_comes_before_the_form(scenario: SimpleNamespace, db: None, entry: Row, role: str) -> None:
    """Permission first: a refused person gets the same refusal for an empty body, never the form's error."""
    client = client_for(scenario, role)
    if entry.prepare is not None:
        entry.prepare(scenario)
    before = fingerprint()

    observed, location = answer(client, scenario, entry, empty=True)

    assert observed == entry.expected[role], f"{entry.key} as {role}: got {observed} {location} for an empty body"
    assert fingerprint() == before
