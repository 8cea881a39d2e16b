"""What a request needs to know of the signed-in person, read in one query.

Every full page asks the same questions of the person before its own work: the
header's navigation asks each role's rule (staff roles, expert, memberships,
partner staff) and shows the unread notifications. Each answer used to be one
query; together they were five of the seven queries of a bare signed-in page.

Each app registers its read here (``register``, from the module that asks it:
``accounts.rules``, ``clusters.rules``, ``common.selectors``), as SQL of two
columns (a text, a number) for one person. The first time a request asks any of
them (``person_read``), all are read together (``UNION ALL``) and each is kept
in the request cache (``common.request_cache``) under its own key and models:
a write to a model forgets only what depends on it, and the next question
reads again. Outside a request, each read is its own query, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.db import connection

from common import request_cache

Row = tuple[Any, Any]


@dataclass(frozen=True)
class PersonRead:
    """One question about a person: ``select`` gives ``SELECT <text>, <number> FROM ...``
    with the parameters ``params(person_pk)``; ``keep`` makes the answer of its rows."""

    key: str
    select: Callable[[], str]
    params: Callable[[int], tuple[Any, ...]]
    keep: Callable[[list[Row]], Any]
    depends_on: tuple[str, ...]


_reads: dict[str, PersonRead] = {}


def register(read: PersonRead) -> None:
    """Register (or replace: a reloaded module is harmless) a read."""
    _reads[read.key] = read


def _cache_key(key: str, person_pk: int) -> Hashable:
    return (key, person_pk)


def _rows(sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _read_one(read: PersonRead, person_pk: int) -> Any:
    return read.keep([(text, number) for text, number in _rows(read.select(), read.params(person_pk))])


def _read_all(person_pk: int) -> dict[str, Any]:
    """Every registered read of the person, in one query: each part's rows are told
    apart by the part's position, the query's first column."""
    reads = list(_reads.values())
    parts: list[str] = []
    params: list[Any] = []
    for position, read in enumerate(reads):
        # Each part in a subquery of its own, so that its own WHERE, JOIN or COUNT stays its own.
        parts.append(
            f"SELECT {position} AS part, CAST(r.t AS VARCHAR(400)) AS t, CAST(r.n AS BIGINT) AS n "
            f"FROM ({read.select()}) r"
        )
        params.extend(read.params(person_pk))
    found: dict[int, list[Row]] = {position: [] for position in range(len(reads))}
    for part, text, number in _rows(" UNION ALL ".join(parts), tuple(params)):
        found[part].append((text, number))
    return {read.key: read.keep(found[position]) for position, read in enumerate(reads)}


def person_read(key: str, person_pk: int) -> Any:
    """The answer of the read ``key`` for the person: kept for the rest of the request
    until a model it depends on is written. A miss inside a request reads every
    registered read at once and keeps those not kept already."""
    read = _reads[key]
    if not request_cache.active():
        return _read_one(read, person_pk)

    def read_all_keep_rest() -> Any:
        answers = _read_all(person_pk)
        for other in _reads.values():
            if other.key != key:
                request_cache.keep(_cache_key(other.key, person_pk), answers[other.key], depends_on=other.depends_on)
        return answers[key]

    return request_cache.cached(_cache_key(key, person_pk), read_all_keep_rest, depends_on=read.depends_on)
