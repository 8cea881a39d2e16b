"""Django's ``flush``, able to empty the append-only tables too.

Emptying the whole database (what tests do between transactional tests) is
not rewriting history. On SQLite flush deletes row by row, which the guard
refuses, so the guard is taken down for the flush and put up again after it,
whatever happens. On PostgreSQL flush truncates, which the row triggers do not
see: the guard stays up.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import DEFAULT_DB_ALIAS, connections

from common.append_only import guard_set


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite":
            super().handle(**options)
            return
        guard_set(connection, up=False)
        try:
            super().handle(**options)
        finally:
            guard_set(connection, up=True)
