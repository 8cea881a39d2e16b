"""Querysets of a fixed shape, compiled to SQL once per process.

Django compiles a queryset to SQL each time it runs: for the case read on every
case page (four relations and a subquery) that costs 1 ms, more than running it
(0.6 ms on PostgreSQL), and the pages people use most run several such queries.
``Prepared`` builds the queryset once with stand-in values for its parameters,
compiles it, and from then on only binds the real values into the same SQL and
turns the rows into model instances as Django would (its converters, its
``select_related`` populators).

Only for querysets whose SQL does not depend on the values: equality on keys and
other integers (a list for ``__in`` must not be a parameter). ``None`` or a key
beyond 64 bits finds nothing, as Django answers. ``Prepared`` refuses a queryset
where a stand-in does not reach the SQL unchanged, or whose ``prefetch_related``
the SQL cannot carry, and ``tests/common/test_prepared.py`` holds every bound
SQL of the portal equal to Django's own.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=Model)

# Stand-ins for the parameters: integers inside every integer column's range, unlike
# any key the portal will reach, each distinct so that its place in the SQL is known.
_STAND_IN_BASE = 2_000_000_000
# The values a 64-bit key can hold: beyond them Django answers nothing, and so do we.
_LOWEST, _HIGHEST = -(2**63), 2**63 - 1

# Every Prepared of the process, for the test that holds each one's SQL to Django's.
every_prepared: list[Prepared[Any]] = []


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, ...], ...]  # for each argument, where it goes in params
    compiler: Any  # Django's SQLCompiler, after as_sql: select, klass_info, annotations
    converters: dict[int, tuple[list[Any], Any]]  # by column: Django's conversions of the values
    db: str
    locks: bool  # select_for_update: only inside a transaction, as Django checks


class Prepared(Generic[M]):
    """``build(*args)`` returns the queryset; ``prepared.all(*args)`` runs it, compiled once."""

    def __init__(self, build: Callable[..., QuerySet[M]]) -> None:
        self.build = build
        self._compiled: _Compiled | None = None
        self._lock = threading.Lock()
        every_prepared.append(self)

    def all(self, *args: int | None) -> list[M]:
        if not all(isinstance(value, int) and _LOWEST <= value <= _HIGHEST for value in args):
            # What Django answers for None or a key no column can hold: nothing (the 404's "no such case").
            return []
        compiled = self._compile(len(args))
        params = _bound(compiled, args)
        connection = connections[compiled.db]
        if compiled.locks and connection.features.has_select_for_update and connection.get_autocommit():
            # Django checks this when it compiles; compiled once, the check is ours.
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return _instances(compiled, rows, connection)

    def first(self, *args: int | None) -> M | None:
        found = self.all(*args)
        return found[0] if found else None

    def sql(self, *args: int | None) -> tuple[str, list[Any]]:
        """The SQL and parameters ``all(*args)`` runs (for the tests that hold it to Django's)."""
        compiled = self._compile(len(args))
        return compiled.sql, _bound(compiled, args)

    def _compile(self, arity: int) -> _Compiled:
        if self._compiled is None:
            with self._lock:
                if self._compiled is None:
                    self._compiled = _compile(self.build, arity)
        return self._compiled


def knowing(instances: list[M], **related: Model) -> list[M]:
    """The instances with the objects they point to by these names set, so that reading
    ``instance.name`` queries nothing (what Django does for ``parent.children.all()``)."""
    for instance in instances:
        for name, value in related.items():
            instance._meta.get_field(name).set_cached_value(instance, value)  # type: ignore[union-attr]
    return instances


def _bound(compiled: _Compiled, args: tuple[int | None, ...]) -> list[Any]:
    params = list(compiled.params)
    for value, places in zip(args, compiled.slots, strict=True):
        for at in places:
            params[at] = value
    return params


def _compile(build: Callable[..., QuerySet[Any]], arity: int) -> _Compiled:
    stand_ins = [_STAND_IN_BASE + n for n in range(arity)]
    queryset = build(*stand_ins)
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    slots = tuple(tuple(at for at, param in enumerate(params) if param == stand_in) for stand_in in stand_ins)
    if any(not places for places in slots):
        raise ImproperlyConfigured(f"{build!r}: a parameter does not reach the SQL as given: {params!r}")
    if queryset._iterable_class is not ModelIterable or compiler.klass_info is None:
        raise ImproperlyConfigured(f"{build!r}: only querysets of model instances are prepared.")
    if getattr(queryset, "_prefetch_related_lookups", ()) or getattr(queryset, "_known_related_objects", {}):
        # Neither is in the SQL: prepared, they would be lost without a word.
        raise ImproperlyConfigured(f"{build!r}: prefetch_related and related managers' querysets are not prepared.")
    columns = [expression for expression, _sql, _alias in compiler.select[: compiler.col_count]]
    converters = compiler.get_converters(columns)
    # The compiler is kept for its description of the columns, never to run: it holds
    # the connection of the thread that compiled it.
    locks = bool(queryset.query.select_for_update)
    return _Compiled(sql, tuple(params), slots, copy.copy(compiler), converters, queryset.db, locks)


def _instances(compiled: _Compiled, rows: list[tuple[Any, ...]], connection: Any) -> list[Any]:
    """What Django's ModelIterable makes of the rows: each with its related objects."""
    compiler = compiled.compiler
    select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [column[0].target.attname for column in select[start:end]]
    populators = get_related_populators(klass_info, select, compiled.db)  # type: ignore[call-arg]  # stubs of Django 6
    made = []
    for raw in rows:
        row = list(raw)
        for at, (functions, expression) in compiled.converters.items():
            for convert in functions:
                row[at] = convert(row[at], expression, connection)
        instance = model.from_db(compiled.db, init_list, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        for name, at in (annotation_col_map or {}).items():
            setattr(instance, name, row[at])
        made.append(instance)
    return made
