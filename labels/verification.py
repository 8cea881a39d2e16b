"""Public verification of a label from its code, limited against enumeration.

The verification page and the Open Badges credential share one budget per
client address (``common.client.client_address``): ``VERIFY_UNKNOWN_CODES_LIMIT``
unknown codes per ``VERIFY_WINDOW``. Only unknown codes spend it, so a person
scanning real certificates never meets it, while a script guessing codes
exhausts it at once. Once it is spent, every look-up from that address is
refused, known codes too: answering those would tell the script its hits.
People with a staff role are never limited.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from functools import cache as cache_in_process
from typing import Any

import rules
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.http import HttpRequest
from django_countries.fields import Country

from common.client import client_address
from common.enums import Level
from labels.models import Label


def _budget_key(request: HttpRequest) -> str:
    return f"verify-unknown:{client_address(request)}"


def _unlimited(request: HttpRequest) -> bool:
    # The rule alone, not every backend: the model backend would query permissions.
    return rules.has_perm("labels.verify_without_limit", request.user)


def budget_spent(request: HttpRequest) -> bool:
    """True once this client has looked up too many unknown codes in the window."""
    if _unlimited(request):
        return False
    spent: int = cache.get(_budget_key(request), 0)
    return spent >= settings.VERIFY_UNKNOWN_CODES_LIMIT


def budget_spend(request: HttpRequest) -> None:
    """Count one unknown code against this client's budget."""
    if _unlimited(request):
        return
    key = _budget_key(request)
    window = int(settings.VERIFY_WINDOW.total_seconds())
    # The window runs from the first unknown code: incr keeps the expiry add set.
    cache.add(key, 0, window)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)


@dataclass(frozen=True)
class VerifiedOrganisation:
    name: str
    country: Country


@dataclass(frozen=True)
class VerifiedLabel:
    """What the verification page shows of a label, and its state needs (``LabelLike``)."""

    code: str
    level: str
    score: Decimal | None
    valid_from: date
    valid_until: date
    awarded_name: str
    revoked_at: datetime | None
    revoke_reason: str
    superseded_by_id: int | None
    superseded_by_code: str | None
    organisation: VerifiedOrganisation

    def get_level_display(self) -> str:
        return str(Level(self.level).label)

    @property
    def version(self) -> str:
        """Everything the page shows, as one string: it changes exactly when the page may
        (a revocation, a renewal that supersedes the label, a rename of its organisation)."""
        return repr(astuple(self))


# The columns of VerifiedLabel, in order: the most-read page of the portal reads only these.
VERIFIED_COLUMNS = (
    "code",
    "level",
    "score",
    "valid_from",
    "valid_until",
    "awarded_name",
    "revoked_at",
    "revoke_reason",
    "superseded_by_id",
    "superseded_by__code",
    "organisation__name",
    "organisation__country",
)


# VerifiedLabel's own fields, in the order of VERIFIED_COLUMNS (the organisation's come last).
LABEL_SHOWN = [field.name for field in fields(VerifiedLabel) if field.name != "organisation"]


@cache_in_process
def _verified_query() -> tuple[str, list[tuple[int, list[Any], Any]], Any]:
    """The query compiled once per process, with its columns' converters: compiling it
    cost twice what running it does (1.3 ms against 0.6). Its one parameter is the code."""
    query = Label.objects.filter(code="?").values_list(*VERIFIED_COLUMNS)
    compiler = query.query.get_compiler(using=query.db)
    sql, params = compiler.as_sql()
    if list(params) != ["?"]:  # the code must be the query's only parameter to reuse it
        raise ImproperlyConfigured(f"The verification query takes {params!r}, not the code alone.")
    columns = [selected[0] for selected in compiler.select[: len(VERIFIED_COLUMNS)]]
    converters = [(at, functions, column) for at, (functions, column) in compiler.get_converters(columns).items()]
    return sql, converters, compiler.connection


def verified_label(code: str) -> VerifiedLabel | None:
    """The label with this (normalised) code as the verification page shows it, or None.
    One query on the code's unique index."""
    sql, converters, connection = _verified_query()
    with connections[Label.objects.db].cursor() as cursor:
        cursor.execute(sql, [code])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for at, functions, column in converters:  # what the ORM would do: dates on SQLite, say
        for convert in functions:
            values[at] = convert(values[at], column, connection)
    *own, name, country = values
    shown = dict(zip(LABEL_SHOWN, own, strict=True))
    return VerifiedLabel(**shown, organisation=VerifiedOrganisation(name=name, country=Country(country)))
