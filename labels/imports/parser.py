"""Reading a legacy label file: decoding, the header, and each row on its own.

Pure: no database. Whatever needs the database (which organisations and
labels exist, the validity that follows from a previous label) is checked by
``labels.imports.service.labels_import``. Every problem is collected, none stops the
reading, so the office fixes a file in one round instead of one error a time.
Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Protocol

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django_countries import countries

from common.enums import Level
from labels.codes import code_is_well_formed, code_prefix

COLUMNS: tuple[str, ...] = (
    "organisation",
    "country",
    "city",
    "website",
    "sector",
    "level",
    "assessed_on",
    "valid_until",
    "score",
    "label_code",
)
# Pseudo-columns for problems that belong to no single cell.
WHOLE_FILE = "(file)"
WHOLE_ROW = "(row)"

# The model's field lengths: a longer value would fail only at write time.
MAX_LENGTHS = {"organisation": 250, "city": 120, "website": 200}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SCORE = re.compile(r"^\d{1,3}(\.\d{1,2})?$")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"


@dataclass(frozen=True)
class ParsedRow:
    """One row whose cells are each well-formed, in canonical form."""

    row: int
    organisation: str
    country: str
    city: str
    website: str
    sector: str
    level: Level
    assessed_on: date
    valid_until: date | None
    score: Decimal | None
    label_code: str

    @property
    def organisation_key(self) -> tuple[str, str]:
        # The same matching as clusters.selectors.organisation_find: name without case, and country.
        return self.organisation.casefold(), self.country


@dataclass
class ParsedFile:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0


def decode(content: bytes) -> tuple[str | None, RowError | None]:
    """The file as text. ``utf-8-sig`` because Excel's "CSV UTF-8" starts with a byte order mark."""
    try:
        return content.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        return None, RowError(
            line,
            WHOLE_FILE,
            _('The file is not UTF-8 text (first bad byte on line %(line)s). Save it as "CSV UTF-8".') % {"line": line},
        )


def decoding_error(content: bytes, *, piece: int = 1 << 16) -> RowError | None:
    """``decode``'s error, if any, found piece by piece: nothing of the text is kept."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        for start in range(0, len(content), piece):
            decoder.decode(content[start : start + piece])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return decode(content)[1]
    return None


def check_header(header: list[str]) -> list[RowError]:
    names = [name.strip().lower() for name in header]
    errors: list[RowError] = []
    if len(names) == 1 and ";" in names[0]:
        return [RowError(1, WHOLE_ROW, _("Columns must be separated by commas, not semicolons."))]
    for name in COLUMNS:
        if name not in names:
            errors.append(RowError(1, name, _("Column %(name)s is missing from the header.") % {"name": name}))
    for name in names:
        if name not in COLUMNS:
            errors.append(
                RowError(
                    1,
                    name or _("(empty)"),
                    _("Unknown column; the header must be exactly: %(columns)s.") % {"columns": ",".join(COLUMNS)},
                )
            )
    for name in sorted({n for n in names if names.count(n) > 1 and n in COLUMNS}):
        errors.append(RowError(1, name, _("Column %(name)s appears more than once.") % {"name": name}))
    return errors


class Seen(Protocol):
    """What the reading remembers of the rows before, to refuse a row repeated in the file."""

    def label(self, key: tuple[str, str, str, date], number: int) -> int | None:
        """The earlier row with this organisation, country, level and date; else remember this one."""

    def code(self, code: str, number: int) -> int | None:
        """The earlier row with this label code; else remember this one."""


class SeenInMemory:
    def __init__(self) -> None:
        self.labels: dict[tuple[str, str, str, date], int] = {}
        self.codes: dict[str, int] = {}

    def label(self, key: tuple[str, str, str, date], number: int) -> int | None:
        earlier = self.labels.get(key)
        if earlier is None:
            self.labels[key] = number
        return earlier

    def code(self, code: str, number: int) -> int | None:
        earlier = self.codes.get(code)
        if earlier is None:
            self.codes[code] = number
        return earlier


def parse_labels_csv(content: bytes, *, sector_names: Iterable[str], today: date) -> ParsedFile:
    """Read a label file; return the well-formed rows and every error found."""
    result = ParsedFile()
    result.rows.extend(read_labels_csv(content, sector_names=sector_names, today=today, into=result))
    return result


def read_labels_csv(
    content: bytes, *, sector_names: Iterable[str], today: date, into: ParsedFile, seen: Seen | None = None
) -> Iterator[ParsedRow]:
    """The well-formed rows of a label file one by one, as they are read; every error found, and
    the number of rows, go to ``into`` (complete once the rows are exhausted). ``seen`` remembers
    the rows before (in memory by default), for the rows repeated in the file."""
    result = into
    seen = seen or SeenInMemory()
    error = decoding_error(content)
    if error is not None:
        result.errors.append(error)
        return
    if not content.removeprefix(codecs.BOM_UTF8).strip():
        result.errors.append(RowError(1, WHOLE_FILE, _("The file is empty.")))
        return

    sectors = {name.casefold(): name for name in sector_names}
    # Decoded as it is read: the text of the whole file is never held beside its bytes.
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline=""))
    try:
        header = next(reader)
        header_errors = check_header(header)
        if header_errors:
            result.errors.extend(header_errors)
            return
        positions = [name.strip().lower() for name in header]
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # blank lines (often trailing) carry nothing
            result.total_rows += 1
            if len(cells) != len(COLUMNS):
                result.errors.append(
                    RowError(
                        number,
                        WHOLE_ROW,
                        _("The row has %(found)s cells; it needs %(expected)s.")
                        % {"found": len(cells), "expected": len(COLUMNS)},
                    )
                )
                continue
            values = {name: cell.strip() for name, cell in zip(positions, cells, strict=True)}
            row, row_errors = parse_row(number, values, sectors=sectors, today=today)
            result.errors.extend(row_errors)
            if row is None:
                continue
            earlier = seen.label((*row.organisation_key, row.level.value, row.assessed_on), number)
            if earlier is not None:
                result.errors.append(
                    RowError(
                        number,
                        "organisation",
                        _("Same organisation, country, level and assessed_on as row %(row)s.") % {"row": earlier},
                    )
                )
                continue
            if row.label_code:
                earlier = seen.code(row.label_code, number)
                if earlier is not None:
                    result.errors.append(
                        RowError(
                            number,
                            "label_code",
                            _("Label code %(code)s is also used in row %(row)s.")
                            % {"code": row.label_code, "row": earlier},
                        )
                    )
                    continue
            yield row
    except csv.Error as exc:
        result.errors.append(
            RowError(reader.line_num, WHOLE_FILE, _("The file is not valid CSV: %(error)s.") % {"error": exc})
        )
    if not result.errors and not result.total_rows:
        result.errors.append(RowError(1, WHOLE_FILE, _("The file has a header but no label rows.")))


def parse_row(
    number: int, values: dict[str, str], *, sectors: dict[str, str], today: date
) -> tuple[ParsedRow | None, list[RowError]]:
    """One row's cells, each checked on its own; the row only if every cell is good."""
    errors: list[RowError] = []

    def fail(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    for column, limit in MAX_LENGTHS.items():
        if len(values[column]) > limit:
            fail(column, _("At most %(limit)s characters.") % {"limit": limit})

    organisation = values["organisation"]
    if not organisation:
        fail("organisation", _("The organisation's name is required."))

    country = values["country"].upper()
    if not country:
        fail("country", _("The country is required."))
    elif len(country) != 2 or countries.alpha2(country) != country:
        fail("country", _("%(value)s is not an ISO 3166 two-letter country code.") % {"value": values["country"]})

    website = values["website"]
    if website:
        # Legacy lists often give "www.example.org"; the model stores full addresses.
        if "://" not in website:
            website = f"https://{website}"
        try:
            URLValidator(schemes=["http", "https"])(website)
        except ValidationError:
            fail("website", _("%(value)s is not a web address.") % {"value": values["website"]})

    sector = sectors.get(values["sector"].casefold(), "")
    if not values["sector"]:
        fail("sector", _("The sector is required."))
    elif not sector:
        fail(
            "sector",
            _("Unknown sector %(value)s; use one of: %(names)s.")
            % {
                "value": values["sector"],
                "names": "; ".join(sorted(sectors.values())),
            },
        )

    level: Level | None = None
    try:
        level = Level(values["level"].lower())
    except ValueError:
        fail("level", _("The level must be bronze, silver or gold."))

    assessed_on = parse_date(values["assessed_on"])
    if not values["assessed_on"]:
        fail("assessed_on", _("The assessment date is required."))
    elif assessed_on is None:
        fail("assessed_on", _("%(value)s is not a date written YYYY-MM-DD.") % {"value": values["assessed_on"]})
    elif assessed_on > today:
        fail("assessed_on", _("The assessment date %(value)s lies in the future.") % {"value": assessed_on})

    valid_until = parse_date(values["valid_until"])
    if values["valid_until"] and valid_until is None:
        fail("valid_until", _("%(value)s is not a date written YYYY-MM-DD.") % {"value": values["valid_until"]})
    elif valid_until is not None and assessed_on is not None and valid_until <= assessed_on:
        fail("valid_until", _("valid_until must be after assessed_on."))

    score: Decimal | None = None
    raw_score = values["score"].rstrip("%").strip()
    if raw_score:
        if level is not None and level != Level.GOLD:
            fail("score", _("Only Gold labels have a score."))
        elif not SCORE.match(raw_score):
            fail("score", _("%(value)s is not a percentage like 85 or 92.5.") % {"value": values["score"]})
        else:
            try:
                score = Decimal(raw_score)
            except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
                score = None
            if score is None or score > 100:
                fail("score", _("The score is a percentage between 0 and 100."))

    code = values["label_code"].upper()
    if code:
        if not code_is_well_formed(code):
            fail("label_code", _("%(value)s is not a label code like RS-B-2026-7K4Q.") % {"value": code})
        elif (
            level is not None
            and assessed_on is not None
            and country
            and not code.startswith(code_prefix(country=country, level=level, year=assessed_on.year))
        ):
            # The code's prefix is read on paper as country, level and year: it must not say otherwise.
            fail(
                "label_code",
                _("Code %(code)s must start with %(prefix)s (country, level, year assessed).")
                % {"code": code, "prefix": code_prefix(country=country, level=level, year=assessed_on.year)},
            )

    if errors or level is None or assessed_on is None:
        return None, errors
    return (
        ParsedRow(
            row=number,
            organisation=organisation,
            country=country,
            city=values["city"],
            website=website,
            sector=sector,
            level=level,
            assessed_on=assessed_on,
            valid_until=valid_until,
            score=score,
            label_code=code,
        ),
        errors,
    )


def parse_date(value: str) -> date | None:
    # fromisoformat alone also accepts 20260315 and week dates; the file format is YYYY-MM-DD only.
    if not ISO_DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
