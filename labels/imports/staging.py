"""Where an import keeps the file's rows while it works: a temporary SQLite database on disk.

A file of 100,000 rows is read once, row by row, into it; the import then asks for the rows one
organisation at a time, in the order the chains need (level, then assessment date), so it never
holds more than a batch of organisations. It also remembers which labels and codes the file
named already, for the rows repeated in it. Python's own ``sqlite3``, whatever database the
portal runs on: the staging is not the portal's data, and goes with the import.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import TracebackType

from common.enums import Level
from labels.imports.parser import ParsedRow

SCHEMA = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE rows (row INTEGER PRIMARY KEY, name TEXT, country TEXT, level TEXT, assessed_on TEXT, data TEXT);
CREATE INDEX rows_in_order ON rows (name, country, level, assessed_on, row);
CREATE TABLE labels (name TEXT, country TEXT, level TEXT, assessed_on TEXT, row INTEGER,
                     PRIMARY KEY (name, country, level, assessed_on));
CREATE TABLE codes (code TEXT PRIMARY KEY, row INTEGER);
"""


def _dump(row: ParsedRow) -> str:
    return json.dumps(
        [
            row.row,
            row.organisation,
            row.country,
            row.city,
            row.website,
            row.sector,
            row.level.value,
            row.assessed_on.isoformat(),
            row.valid_until.isoformat() if row.valid_until else None,
            None if row.score is None else str(row.score),
            row.label_code,
        ]
    )


def _load(data: str) -> ParsedRow:
    number, organisation, country, city, website, sector, level, assessed_on, until, score, code = json.loads(data)
    return ParsedRow(
        row=number,
        organisation=organisation,
        country=country,
        city=city,
        website=website,
        sector=sector,
        level=Level(level),
        assessed_on=date.fromisoformat(assessed_on),
        valid_until=date.fromisoformat(until) if until else None,
        score=None if score is None else Decimal(score),
        label_code=code,
    )


class Staging:
    """The well-formed rows of one file, and what the reading has seen (``parser.Seen``)."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="label-import-")
        self._db = sqlite3.connect(Path(self._folder.name) / "rows.sqlite3")
        self._db.executescript(SCHEMA)
        self.count = 0

    def __enter__(self) -> Staging:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._db.close()
        self._folder.cleanup()

    def label(self, key: tuple[str, str, str, date], number: int) -> int | None:
        name, country, level, assessed_on = key
        found = self._db.execute(
            "SELECT row FROM labels WHERE name = ? AND country = ? AND level = ? AND assessed_on = ?",
            (name, country, level, assessed_on.isoformat()),
        ).fetchone()
        if found is not None:
            return int(found[0])
        self._db.execute(
            "INSERT INTO labels VALUES (?, ?, ?, ?, ?)", (name, country, level, assessed_on.isoformat(), number)
        )
        return None

    def code(self, code: str, number: int) -> int | None:
        found = self._db.execute("SELECT row FROM codes WHERE code = ?", (code,)).fetchone()
        if found is not None:
            return int(found[0])
        self._db.execute("INSERT INTO codes VALUES (?, ?)", (code, number))
        return None

    def add(self, row: ParsedRow) -> None:
        name, country = row.organisation_key
        self._db.execute(
            "INSERT INTO rows VALUES (?, ?, ?, ?, ?, ?)",
            (row.row, name, country, row.level.value, row.assessed_on.isoformat(), _dump(row)),
        )
        self.count += 1

    def organisations(self) -> Iterator[list[ParsedRow]]:
        """The rows of each organisation of the file (same name ignoring case, same country), by
        level and assessment date; organisations in the order of their name and country."""
        cursor = self._db.execute(
            "SELECT name, country, data FROM rows ORDER BY name, country, level, assessed_on, row"
        )
        for _key, rows in itertools.groupby(cursor, key=lambda found: (found[0], found[1])):
            yield [_load(data) for _name, _country, data in rows]
