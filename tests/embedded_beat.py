"""Celery beat as `make run` starts it without a broker, in a process of its own,
against the test database.

With no ``CELERY_BROKER_URL`` tasks are eager, so beat runs each periodic task
itself. The process must see what the test wrote and the test what it wrote:
on PostgreSQL both use the test database; pytest-django's SQLite test database
lives in this process's memory, so it is copied to a file for beat and the file
copied back (``pull``) to read what beat did. Tests need committed data:
``django_db(transaction=True)``.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, cast
from urllib.parse import quote

from django.db import connection

if TYPE_CHECKING:
    from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper

ROOT = Path(__file__).resolve().parents[1]
# The embedded default: no broker (tasks run in beat), mail printed to the console.
NOT_EMBEDDED = {"CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "EMAIL_URL"}


class SharedDatabase:
    """The test database as a DATABASE_URL another process can open."""

    def __init__(self, folder: Path) -> None:
        connection.ensure_connection()
        self.copy: Path | None = None
        settings = connection.settings_dict
        if connection.vendor == "postgresql":
            credentials = quote(settings["USER"]) + (f":{quote(settings['PASSWORD'])}" if settings["PASSWORD"] else "")
            host = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
            self.url = f"postgres://{credentials}@{host}/{settings['NAME']}"
        elif connection.vendor == "sqlite" and cast("SQLiteDatabaseWrapper", connection).is_in_memory_db():
            self.copy = folder / "portal.sqlite3"
            self.url = f"sqlite:///{self.copy}"
            target = sqlite3.connect(self.copy)
            connection.connection.backup(target)
            target.close()
        elif connection.vendor == "sqlite":
            self.url = f"sqlite:///{Path(settings['NAME']).resolve()}"
        else:
            raise NotImplementedError(connection.vendor)

    def pull(self) -> None:
        """Make what the other process wrote visible to this one."""
        if self.copy is not None:
            source = sqlite3.connect(self.copy)
            source.backup(connection.connection)
            source.close()


class BeatProcess:
    def __init__(self, folder: Path) -> None:
        self.database = SharedDatabase(folder)
        self.log = folder / "beat.log"
        env = {name: value for name, value in os.environ.items() if name not in NOT_EMBEDDED}
        env.update(DATABASE_URL=self.database.url, MEDIA_ROOT=str(folder / "media"))
        command = [sys.executable, "-m", "celery", "-A", "escaportal", "beat", "--loglevel=INFO"]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [*command, f"--schedule={folder / 'celerybeat-schedule'}"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.returncode: int | None = None

    def pull(self) -> None:
        self.database.pull()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        """Stop beat as `make run` does when the server stops (SIGTERM), then read what it did."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.returncode = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        self.pull()


@contextmanager
def embedded_beat(folder: Path) -> Iterator[BeatProcess]:
    """Beat running on the test database until the block ends."""
    beat = BeatProcess(folder)
    try:
        yield beat
    finally:
        beat.stop()
