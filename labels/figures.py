"""The figures of the dashboards and statistics, kept ready in stored rows.

Aggregating every label of a scope takes seconds on a full data set, so no page
does it: the worker computes every figure for every scope
(``figures_refresh``, the one writer) and stores each as JSON in a
``labels.models.StoredFigure`` row; pages read those rows (``figures_read``)
and say when they were computed.

A refresh is queued, coalesced (``figures_refresh_queue``: one queued refresh
at a time, ``FIGURES_REFRESH_DELAY`` seconds after the first change, so a bulk
import or fifty decisions in a minute refresh once):
- after commit, when a label is created, imported, revoked, reinstated or
  corrected (``figures_changed``, called by the label services) and when an
  organisation or an application moves (``figures_changed_by``, an effect the
  labels app attaches to those workflows of the door);
- by the nightly sweep in the beat schedule (``labels.refresh_figures``),
  which also catches the passing of days ("expires within 30 days" changes
  daily) and what no move announces (a profile's sectors, say);
- by a reader that finds a row missing or computed for an older day: it shows
  what it has with a note, or "being prepared", and never computes itself.

The scopes are those ``labels.statistics.scope_for`` gives: every country, each
country with an organisation or a partner, each partner's countries and each
partner person's (a person may work for two partners).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar, cast

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from assessments.enums import ApplicationState
from clusters.enums import OrganisationState
from clusters.models import ClusterOrganisation, NationalPartner, PartnerStaff
from common.enums import Level
from common.workflow import Arrival
from labels import dashboard
from labels import statistics as stats
from labels.models import StoredFigure
from labels.statistics import JSON, Scope

T = TypeVar("T")

DASHBOARD = "dashboard"
TIMELINE = "expiry-timeline"
HELD_PER_YEAR = "held-per-year"
BY_COUNTRY = "by-country"
BY_SECTOR = "by-sector"
RENEWALS = "renewals"
DECISION_TIMES = "decision-times"
ELIGIBLE_SHARE = "eligible-share"

# What each page reads: one query for all of them.
DASHBOARD_PAGE = (DASHBOARD, TIMELINE, HELD_PER_YEAR)
STATISTICS_PAGE = (BY_COUNTRY, BY_SECTOR, HELD_PER_YEAR, RENEWALS, DECISION_TIMES, ELIGIBLE_SHARE)

REFRESH_QUEUED = "figures:refresh-queued"
REFRESH_RUNNING = "figures:refresh-running"
# Beyond the task's hard time limit: a worker killed mid-refresh does not block the next one for long.
RUNNING_MARK_TIMEOUT = 1900
# How long the "queued" mark outlives the refresh's due time: if the worker is
# down, a change after that queues another refresh (running two is harmless).
QUEUED_MARK_MARGIN = 600


@dataclass(frozen=True)
class Timeline:
    """``labels.dashboard.expiry_timeline``: the months, and labels expiring in each per level."""

    months: list[date]
    per_level: dict[str, list[int]]

    def to_json(self) -> dict[str, JSON]:
        return {"months": [m.isoformat() for m in self.months], "per_level": dict(self.per_level)}

    @classmethod
    def from_json(cls, data: Mapping[str, JSON]) -> Timeline:
        return cls(
            months=[date.fromisoformat(m) for m in data["months"]],
            per_level={str(level): [int(n) for n in counts] for level, counts in data["per_level"].items()},
        )


@dataclass(frozen=True)
class Kind(Generic[T]):
    """How one figure is computed for a scope and day, and stored as JSON and read back."""

    compute: Callable[[Scope, date], T]
    to_json: Callable[[T], JSON]
    from_json: Callable[[JSON], T]


def _counts(data: Mapping[str, JSON]) -> dict[str, int]:
    return {str(key): int(n) for key, n in data.items()}


def _per_level_years(data: Mapping[str, JSON]) -> dict[str, list[int]]:
    return {str(level): [int(n) for n in counts] for level, counts in data.items()}


KINDS: dict[str, Kind[Any]] = {
    DASHBOARD: Kind[dict[str, int]](dashboard.dashboard_figures, dict, _counts),
    TIMELINE: Kind[Timeline](
        lambda scope, today: Timeline(*dashboard.expiry_timeline(scope, today)), Timeline.to_json, Timeline.from_json
    ),
    HELD_PER_YEAR: Kind[dict[str, list[int]]](stats.held_per_year, dict, _per_level_years),
    BY_COUNTRY: Kind[list[stats.CountryRow]](
        stats.by_country,
        lambda rows: [row.to_json() for row in rows],
        lambda data: [stats.CountryRow.from_json(row) for row in data],
    ),
    BY_SECTOR: Kind[list[stats.SectorRow]](
        stats.by_sector,
        lambda rows: [row.to_json() for row in rows],
        lambda data: [stats.SectorRow.from_json(row) for row in data],
    ),
    RENEWALS: Kind[stats.Renewals](stats.renewals, stats.Renewals.to_json, stats.Renewals.from_json),
    DECISION_TIMES: Kind[stats.DecisionTimes](
        lambda scope, _today: stats.decision_times(scope), stats.DecisionTimes.to_json, stats.DecisionTimes.from_json
    ),
    ELIGIBLE_SHARE: Kind[list[stats.EligibleRow]](
        stats.eligible_share,
        lambda rows: [row.to_json() for row in rows],
        lambda data: [stats.EligibleRow.from_json(row) for row in data],
    ),
}


# --------------------------------------------------------------------------- scopes


def scope_key(scope: Scope) -> str:
    """The stored name of a scope: ``all``, ``none`` (a partner without countries), or codes joined by commas."""
    if scope.countries is None:
        return "all"
    return ",".join(sorted(scope.countries)) or "none"


def scopes_to_refresh() -> list[Scope]:
    """Every scope a reader can be given (``labels.statistics.scope_for``): every country,
    each country with an organisation or a partner, each partner's countries, and each
    partner person's (the union of their partners'). A few queries, none per label."""
    partners = {partner.pk: sorted(str(c.code) for c in partner.countries) for partner in NationalPartner.objects.all()}
    people: dict[int, set[str]] = {}
    for user_id, partner_id in PartnerStaff.objects.values_list("user_id", "partner_id").iterator():
        people.setdefault(user_id, set()).update(partners[partner_id])
    present = ClusterOrganisation.objects.order_by().values_list("country", flat=True).distinct()
    singles = {str(code) for code in present} | {code for codes in partners.values() for code in codes}
    sets = {tuple(codes) for codes in partners.values()} | {tuple(sorted(codes)) for codes in people.values()}
    scopes = [Scope(None), *(Scope((code,)) for code in sorted(singles))]
    seen = {scope_key(scope) for scope in scopes}
    for codes in sorted(sets):
        scope = Scope(codes)
        if scope_key(scope) not in seen:
            seen.add(scope_key(scope))
            scopes.append(scope)
    return scopes


# --------------------------------------------------------------------------- the writer


@dataclass(frozen=True)
class RefreshReport:
    today: date
    scopes: int
    rows: int


def figures_refresh(*, today: date | None = None, names: Iterable[str] = tuple(KINDS)) -> RefreshReport:
    """Compute every figure for every scope (``scopes_to_refresh``) and store it, overwriting the old rows.

    Each figure is one or two aggregate queries per scope (``labels.dashboard``,
    ``labels.statistics``): no label is loaded into Python. Rows of scopes no
    reader can be given any more are deleted. Side effects: ``StoredFigure``
    rows only. No history row: the figures are derived data, computed again
    from the labels at will, and record nothing a person did; the history of
    the labels behind them is where their changes are recorded.
    """
    today = today or timezone.localdate()
    names = list(names)
    scopes = scopes_to_refresh()
    rows = 0
    for scope in scopes:
        key = scope_key(scope)
        computed = [
            StoredFigure(
                name=name,
                scope=key,
                day=today,
                computed_at=timezone.now(),
                value=KINDS[name].to_json(KINDS[name].compute(scope, today)),
            )
            for name in names
        ]
        # One scope at a time, each in its own short transaction: readers see each scope as soon as it is done.
        with transaction.atomic():
            StoredFigure.objects.bulk_create(
                computed,
                update_conflicts=True,
                unique_fields=["name", "scope"],
                update_fields=["day", "computed_at", "value"],
            )
        rows += len(computed)
    StoredFigure.objects.exclude(scope__in=[scope_key(scope) for scope in scopes]).delete()
    return RefreshReport(today=today, scopes=len(scopes), rows=rows)


@shared_task(name="labels.refresh_figures", acks_late=True, soft_time_limit=1800, time_limit=1900)
def refresh_figures(today: str | None = None) -> dict[str, object]:
    """Queued by ``figures_refresh_queue`` and by the nightly sweep (beat); idempotent.

    One at a time: while another runs (it may have read the labels before the
    change that queued this one), this one waits its turn by queueing itself again."""
    eager = bool(refresh_figures.app.conf.task_always_eager)
    # In process (the embedded default) there is no queue to wait in: both run.
    if not cache.add(REFRESH_RUNNING, timezone.now().isoformat(), timeout=RUNNING_MARK_TIMEOUT) and not eager:
        refresh_figures.apply_async(kwargs={"today": today}, countdown=max(settings.FIGURES_REFRESH_DELAY, 10))
        return {"deferred": True}
    try:
        # A change made while this runs queues the next refresh instead of being lost in this one.
        cache.delete(REFRESH_QUEUED)
        report = figures_refresh(today=date.fromisoformat(today) if today else None)
    finally:
        cache.delete(REFRESH_RUNNING)
    return {"today": report.today.isoformat(), "scopes": report.scopes, "rows": report.rows}


def figures_refresh_queue(*, delay: int | None = None) -> bool:
    """Queue one refresh in ``delay`` seconds (``FIGURES_REFRESH_DELAY`` by default),
    unless one is queued already: returns whether this call queued it.

    The mark lives in the cache until the refresh starts (or, if the worker is
    down, a while after it was due), so any number of changes meanwhile queue
    nothing more. In the embedded default and in tests the task runs at once.
    """
    delay = settings.FIGURES_REFRESH_DELAY if delay is None else delay
    if not cache.add(REFRESH_QUEUED, timezone.now().isoformat(), timeout=delay + QUEUED_MARK_MARGIN):
        return False
    refresh_figures.apply_async(countdown=delay)
    return True


def figures_changed() -> None:
    """What a label service calls when labels change: a coalesced refresh after commit.

    Registered once per transaction: a loop creating a thousand labels adds one
    callback, not a thousand (with tasks in process, each would refresh)."""
    connection = transaction.get_connection()
    # One already registered serves: Django drops a callback only when a savepoint
    # it was registered in rolls back, and this change, made later inside every
    # savepoint still open, would roll back with it.
    if connection.in_atomic_block and any(entry[1] is _queue_after_commit for entry in connection.run_on_commit):
        return
    transaction.on_commit(_queue_after_commit)


def _queue_after_commit() -> None:
    figures_refresh_queue()


# Moves that change what the figures count: an organisation entering or leaving
# the active ones (organisations, "never labelled", eligibility) and a decision.
_DECIDED = {ApplicationState.AWARDED.value, ApplicationState.REFUSED.value}


def figures_changed_by(arrival: Arrival) -> None:
    """The door's effect, after commit, on every move of organisations and applications."""
    if arrival.model is ClusterOrganisation:
        matters = OrganisationState.ACTIVE.value in (arrival.from_state, arrival.to_state)
    else:
        matters = arrival.to_state in _DECIDED
    if matters:
        figures_refresh_queue()


# --------------------------------------------------------------------------- the readers


class Stored:
    """The stored figures of one scope, as a page reads them (``figures_read``)."""

    def __init__(self, scope: Scope, today: date, names: Iterable[str], rows: Iterable[StoredFigure]) -> None:
        self.scope = scope
        self.today = today
        self.names = tuple(names)
        self._rows = {row.name: row for row in rows}

    @property
    def missing(self) -> bool:
        """Some figure the page needs was never computed for this scope: the page says they are being prepared."""
        return any(name not in self._rows for name in self.names)

    @property
    def stale(self) -> bool:
        """Computed for an older day: shown, with a note, while new ones are prepared."""
        return any(row.day != self.today for row in self._rows.values())

    @property
    def computed_at(self) -> datetime | None:
        return min((row.computed_at for row in self._rows.values()), default=None)

    @property
    def version(self) -> str:
        """Changes whenever any of these rows is stored again: what a page made of them may be kept under."""
        stamps = sorted((name, row.computed_at.isoformat(), row.day.isoformat()) for name, row in self._rows.items())
        return hashlib.blake2b(repr(stamps).encode(), digest_size=12).hexdigest()

    @property
    def day(self) -> date:
        """The day the figures are of (the oldest, when they differ): charts count years up to it."""
        return min((row.day for row in self._rows.values()), default=self.today)

    def _value(self, name: str) -> Any:
        if name not in self.names:
            raise KeyError(f"{name} was not read")
        return KINDS[name].from_json(self._rows[name].value)

    def dashboard(self) -> dict[str, int]:
        return cast(dict[str, int], self._value(DASHBOARD))

    def timeline(self) -> Timeline:
        return cast(Timeline, self._value(TIMELINE))

    def held_per_year(self) -> dict[str, list[int]]:
        per_level = cast(dict[str, list[int]], self._value(HELD_PER_YEAR))
        return {level.value: per_level.get(level.value, []) for level in Level}

    def by_country(self) -> list[stats.CountryRow]:
        return cast(list[stats.CountryRow], self._value(BY_COUNTRY))

    def by_sector(self) -> list[stats.SectorRow]:
        return cast(list[stats.SectorRow], self._value(BY_SECTOR))

    def renewals(self) -> stats.Renewals:
        return cast(stats.Renewals, self._value(RENEWALS))

    def decision_times(self) -> stats.DecisionTimes:
        return cast(stats.DecisionTimes, self._value(DECISION_TIMES))

    def eligible_share(self) -> list[stats.EligibleRow]:
        return cast(list[stats.EligibleRow], self._value(ELIGIBLE_SHARE))


def figures_read(scope: Scope, names: Iterable[str], today: date | None = None) -> Stored:
    """The stored rows of ``names`` for exactly this scope: one query, never a computation.

    When one is missing or of an older day, a (coalesced) refresh is queued and
    the rows read again (in the embedded default and in tests the refresh ran
    in between; on a real worker the page shows what there is)."""
    today = today or timezone.localdate()
    names = tuple(names)
    key = scope_key(scope)
    stored = Stored(scope, today, names, StoredFigure.objects.filter(scope=key, name__in=names))
    if not (stored.missing or stored.stale):
        return stored
    if refresh_figures.app.conf.task_always_eager:
        # In process there is no worker to wait for, and a mark left by a refresh queued
        # earlier (another thread's, a rolled-back change's) must not leave the page empty.
        refresh_figures.apply(kwargs={"today": today.isoformat()})
    elif not figures_refresh_queue(delay=0):
        return stored
    return Stored(scope, today, names, StoredFigure.objects.filter(scope=key, name__in=names))
