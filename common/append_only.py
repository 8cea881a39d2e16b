"""Tables the database keeps append-only: triggers that refuse UPDATE and DELETE.

Made by a migration (``common/migrations/0004_activity_log.py``) on
PostgreSQL and SQLite. ``manage.py flush`` (which empties every table, and
which tests run between transactional tests) lifts the guard for its own
statement on SQLite only: PostgreSQL's flush truncates, which row triggers do
not see, so there the guard is never lifted.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

APPEND_ONLY_TABLES = ("common_activitylog",)
REFUSAL = "append-only: history is never changed or deleted"


def _sqlite_create(table: str) -> list[str]:
    refuse = f"BEGIN SELECT RAISE(ABORT, '{table} is {REFUSAL}'); END"
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} {refuse}",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} {refuse}",
    ]


def _sqlite_drop(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]


def _postgresql_create(table: str) -> list[str]:
    return [
        f"""CREATE OR REPLACE FUNCTION {table}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{table} is {REFUSAL}'; END; $$""",
        f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_refuse()",
    ]


def _postgresql_drop(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}", f"DROP FUNCTION IF EXISTS {table}_refuse()"]


def guard_statements(connection: BaseDatabaseWrapper, *, create: bool) -> list[str]:
    """The statements that put up (or take down) the guard of every append-only table."""
    makers = {
        "sqlite": (_sqlite_create, _sqlite_drop),
        "postgresql": (_postgresql_create, _postgresql_drop),
    }
    if connection.vendor not in makers:
        raise NotImplementedError(f"no append-only guard for {connection.vendor}")
    make = makers[connection.vendor][0 if create else 1]
    return [statement for table in APPEND_ONLY_TABLES for statement in make(table)]


def guard_set(connection: BaseDatabaseWrapper, *, up: bool) -> None:
    with connection.cursor() as cursor:
        for statement in guard_statements(connection, create=up):
            cursor.execute(statement)
