"""Aggregate figures for policy readers, national partners and the label office.

Every figure is one aggregate query (``values().annotate(Count ...)``), never a
Python loop over labels or organisations, so the pages cost the same number
of queries at any volume. Only the per-country rows (a few dozen) and, for the
median decision time, one list of date pairs are handled in Python: neither
SQLite nor Django's portable expressions offer a median.

A label is *held* on a day when it is not revoked and the day lies inside its
validity; a superseded label still counts while its own dates run, because a
renewal decided before expiry supersedes a label that is still valid.

Pages never call these functions: the worker does (``labels.figures.figures_refresh``)
and stores each result as JSON, and the pages read the stored rows.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Field,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from accounts.rules import is_label_office, is_policy_reader
from assessments.models import Decision
from clusters.eligibility import with_eligibility
from clusters.enums import OrganisationState
from clusters.models import ClusterOrganisation
from clusters.rules import partner_countries_of
from clusters.selectors import countries_with_organisations
from common.enums import Level
from common.scheme import rules_for
from labels.models import Label
from labels.selectors import earliest_renewable_expiry, held_on, holds_label_on

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

FIRST_YEAR = 2010
# What a figure is stored as (``labels.models.StoredFigure.value``): each
# dataclass below converts itself explicitly, both ways.
JSON = Any


@dataclass(frozen=True)
class Scope:
    """The countries a person reads figures for: ``None`` means every country."""

    countries: tuple[str, ...] | None

    def organisations(self) -> QuerySet[ClusterOrganisation]:
        queryset = ClusterOrganisation.objects.order_by()
        return queryset if self.countries is None else queryset.filter(country__in=self.countries)

    def labels(self) -> QuerySet[Label]:
        queryset = Label.objects.order_by()
        return queryset if self.countries is None else queryset.filter(organisation__country__in=self.countries)


def reads_all_countries(user: object) -> bool:
    """The office and policy readers see every country; partner staff only theirs."""
    return bool(is_label_office(user) or is_policy_reader(user))


def country_choices_for(user: object) -> list[str]:
    """The countries the person may filter by: their partner's, or every country in the portal."""
    if reads_all_countries(user):
        return countries_with_organisations()
    return sorted(partner_countries_of(user))


def scope_for(user: object, country: str | None = None) -> Scope:
    """The scope for the person, narrowed to ``country`` when they may read it (else ignored)."""
    if reads_all_countries(user):
        return Scope(countries=(country,) if country else None)
    allowed = sorted(partner_countries_of(user))
    if country in allowed:
        return Scope(countries=(country,))
    return Scope(countries=tuple(allowed))


# --------------------------------------------------------------------------- by country, level, sector


@dataclass
class CountryRow:
    country: str
    organisations: int = 0
    labelled: int = 0
    by_level: dict[str, int] = field(default_factory=dict)

    @property
    def gold_share(self) -> float | None:
        """Share (%) of the labelled organisations that hold Gold."""
        return 100 * self.by_level.get(Level.GOLD.value, 0) / self.labelled if self.labelled else None

    def to_json(self) -> dict[str, JSON]:
        return {
            "country": self.country,
            "organisations": self.organisations,
            "labelled": self.labelled,
            "by_level": dict(self.by_level),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, JSON]) -> CountryRow:
        return cls(
            country=str(data["country"]),
            organisations=int(data["organisations"]),
            labelled=int(data["labelled"]),
            by_level={str(level): int(n) for level, n in data["by_level"].items()},
        )


def by_country(scope: Scope, today: date) -> list[CountryRow]:
    """Per country: validated organisations, organisations holding a label today, and holders per level.

    Two queries. ``labelled`` counts every organisation holding a label, whatever
    the state of its profile (an imported label may sit on an unvalidated one).
    """
    rows: dict[str, CountryRow] = {}
    counts = (
        scope.organisations()
        .annotate(holds=holds_label_on(today))
        .values("country")
        .annotate(
            organisations=Count("id", filter=Q(state=OrganisationState.ACTIVE)),
            labelled=Count("id", filter=Q(holds=True)),
        )
    )
    for row in counts:
        # values() gives the stored code, not the Country the model's field is typed as.
        code = cast(str, row["country"])
        rows[code] = CountryRow(code, row["organisations"], row["labelled"])
    levels = (
        scope.labels()
        .filter(held_on(today))
        .values("organisation__country", "level")
        .annotate(n=Count("organisation", distinct=True))
    )
    for level_row in levels:
        code = cast(str, level_row["organisation__country"])
        country_row = rows.setdefault(code, CountryRow(code))
        country_row.by_level[level_row["level"]] = level_row["n"]
    return sorted(rows.values(), key=lambda r: (-r.labelled, -r.organisations, r.country))


def by_level(rows: list[CountryRow]) -> dict[str, int]:
    """Holders per level, summed from ``by_country`` (no query of its own)."""
    return {level.value: sum(r.by_level.get(level.value, 0) for r in rows) for level in Level}


@dataclass(frozen=True)
class SectorRow:
    sector: str
    organisations: int
    labelled: int

    def to_json(self) -> dict[str, JSON]:
        return {"sector": self.sector, "organisations": self.organisations, "labelled": self.labelled}

    @classmethod
    def from_json(cls, data: Mapping[str, JSON]) -> SectorRow:
        return cls(str(data["sector"]), int(data["organisations"]), int(data["labelled"]))


def by_sector(scope: Scope, today: date) -> list[SectorRow]:
    """Per sector: validated organisations and organisations holding a label (one query)."""
    counts = (
        scope.organisations()
        .filter(sectors__isnull=False)
        .annotate(holds=holds_label_on(today))
        .values("sectors__name", "sectors__position")
        .annotate(
            organisations=Count("id", distinct=True, filter=Q(state=OrganisationState.ACTIVE)),
            labelled=Count("id", distinct=True, filter=Q(holds=True)),
        )
        .order_by("sectors__position")
    )
    return [SectorRow(row["sectors__name"], row["organisations"], row["labelled"]) for row in counts]


# --------------------------------------------------------------------------- labels held per year


def years_until(today: date) -> list[int]:
    return list(range(FIRST_YEAR, today.year + 1))


def held_per_year(scope: Scope, today: date) -> dict[str, list[int]]:
    """Per level, per year since 2010: organisations holding a label of that level at some time in the year.

    A label counts in year Y when its validity overlaps Y (revoked ones never
    count). Organisations are counted once per level and year, so a renewal that
    continues a label in the same year does not count twice. One query: one
    conditional count per year.
    """
    years = years_until(today)
    counts = {
        f"y{year}": Count(
            "organisation",
            distinct=True,
            filter=Q(valid_from__lte=date(year, 12, 31), valid_until__gte=date(year, 1, 1)),
        )
        for year in years
    }
    result = {level.value: [0] * len(years) for level in Level}
    # Keys named at run time: the level and one count per year (y2010, y2011 ...).
    rows: Iterable[Mapping[str, Any]] = (
        scope.labels().filter(revoked_at__isnull=True).values("level").annotate(**counts)
    )
    for row in rows:
        result[row["level"]] = [row[f"y{year}"] for year in years]
    return result


# --------------------------------------------------------------------------- renewal rate


class MonthIndex(Func):
    """Months since year 0 of a date: year * 12 + month.

    The renewal window ends on the last day of a month, so comparing month
    indices is exact, and needs no date arithmetic in SQL. SQLite gets its
    built-in ``strftime``: Django's ``ExtractYear`` there calls back into Python
    for every row, which made the renewal figure ten times slower.
    """

    output_field = IntegerField()
    template = (
        "(CAST(EXTRACT(YEAR FROM %(expressions)s) AS INTEGER) * 12 "
        "+ CAST(EXTRACT(MONTH FROM %(expressions)s) AS INTEGER))"
    )

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(CAST(strftime('%%%%Y', %(expressions)s) AS INTEGER) * 12 "
            "+ CAST(strftime('%%%%m', %(expressions)s) AS INTEGER))",
            **extra_context,
        )


class Year(Func):
    """The year of a date, as ``ExtractYear`` but with SQLite's own ``strftime`` (see ``MonthIndex``)."""

    output_field = IntegerField()
    template = "CAST(EXTRACT(YEAR FROM %(expressions)s) AS INTEGER)"

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="CAST(strftime('%%%%Y', %(expressions)s) AS INTEGER)", **extra_context
        )


def _per_level(values: Mapping[Level, object], output: Field[Any, Any]) -> Case:
    return Case(*(When(level=level.value, then=Value(value)) for level, value in values.items()), output_field=output)


class RenewalAnnotation(TypedDict):
    window_end_month: int
    window_open_from: date
    renewed: bool


def with_renewal(queryset: QuerySet[Label], today: date) -> QuerySet[WithAnnotations[Label, RenewalAnnotation]]:
    """Annotate ``renewed`` (a later label of the same organisation and level was
    assessed on or before the renewal window's end, ``labels.validity.renewal_window_end``)
    and ``window_open_from`` (a label expiring on or after it is still inside its window today)."""
    window_months = {level: rules_for(level).renewal_window_months for level in Level}
    window_open_from = {level: earliest_renewable_expiry(level, today) for level in Level}
    later = (
        Label.objects.filter(
            organisation=OuterRef("organisation"),
            level=OuterRef("level"),
            revoked_at__isnull=True,
            assessed_on__gt=OuterRef("assessed_on"),
        )
        .annotate(assessed_month=MonthIndex("assessed_on"))
        .filter(assessed_month__lte=OuterRef("window_end_month"))
    )
    return queryset.annotate(
        window_end_month=MonthIndex("valid_until") + _per_level(window_months, IntegerField()),
        window_open_from=_per_level(window_open_from, Label._meta.get_field("valid_until")),
    ).annotate(renewed=Exists(later))


@dataclass(frozen=True)
class Renewals:
    """Expired labels (with a known outcome) and those renewed, per expiry year."""

    years: list[int]
    total: list[tuple[int, int]]
    by_country: dict[str, list[tuple[int, int]]]

    @staticmethod
    def rate(pair: tuple[int, int]) -> float | None:
        expired, renewed = pair
        return 100 * renewed / expired if expired else None

    def to_json(self) -> dict[str, JSON]:
        return {
            "years": list(self.years),
            "total": [list(pair) for pair in self.total],
            "by_country": {code: [list(pair) for pair in pairs] for code, pairs in self.by_country.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, JSON]) -> Renewals:
        def pairs(values: Iterable[JSON]) -> list[tuple[int, int]]:
            return [(int(expired), int(renewed)) for expired, renewed in values]

        return cls(
            years=[int(year) for year in data["years"]],
            total=pairs(data["total"]),
            by_country={str(code): pairs(values) for code, values in data["by_country"].items()},
        )


def renewals(scope: Scope, today: date) -> Renewals:
    """The renewal rate: of the labels that expired in a year (before today, revoked
    ones aside) and whose outcome is known, the share renewed inside the window.
    A label still inside its window and not yet renewed is left out until it is decided.

    Two aggregate queries, so that the renewal check (a correlated subquery) runs
    once per label: the closed windows (nearly every label: each counts, renewed or
    not), and the still open ones (the last months: only the renewed count).
    """
    years = years_until(today)
    labels = with_renewal(
        scope.labels().filter(revoked_at__isnull=True, valid_until__lt=today, valid_until__year__gte=FIRST_YEAR),
        today,
    )
    renewed_flag = Case(When(renewed=True, then=Value(1)), default=Value(0), output_field=IntegerField())
    closed = (
        labels.filter(valid_until__lt=F("window_open_from"))
        .values("organisation__country", year=Year("valid_until"))
        .annotate(expired=Count("id"), renewed_count=Sum(renewed_flag))
    )
    open_renewed = (
        labels.filter(valid_until__gte=F("window_open_from"), renewed=True)
        .values("organisation__country", year=Year("valid_until"))
        .annotate(expired=Count("id"), renewed_count=Count("id"))
    )
    by_country: dict[str, list[tuple[int, int]]] = defaultdict(lambda: [(0, 0)] * len(years))
    total = [(0, 0)] * len(years)
    for row in [*closed, *open_renewed]:
        index = row["year"] - FIRST_YEAR
        # values() gives the stored code, not the Country the model's field is typed as.
        cells = by_country[cast(str, row["organisation__country"])]
        cells[index] = (cells[index][0] + row["expired"], cells[index][1] + row["renewed_count"])
        total[index] = (total[index][0] + row["expired"], total[index][1] + row["renewed_count"])
    return Renewals(years=years, total=total, by_country=dict(sorted(by_country.items())))


# --------------------------------------------------------------------------- time to decision


@dataclass(frozen=True)
class DecisionTimes:
    """Median days from submission to decision, per level and over all levels."""

    per_level: dict[str, tuple[float | None, int]]
    overall: tuple[float | None, int]

    def to_json(self) -> dict[str, JSON]:
        return {
            "per_level": {level: list(pair) for level, pair in self.per_level.items()},
            "overall": list(self.overall),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, JSON]) -> DecisionTimes:
        def pair(value: JSON) -> tuple[float | None, int]:
            median, count = value
            return (None if median is None else float(median), int(count))

        return cls(
            per_level={str(level): pair(value) for level, value in data["per_level"].items()},
            overall=pair(data["overall"]),
        )


def decision_times(scope: Scope) -> DecisionTimes:
    """One query for the (level, submitted, decided) triples; the median is taken
    in Python because SQLite has no median aggregate."""
    queryset = Decision.objects.order_by().filter(application__submitted_at__isnull=False)
    if scope.countries is not None:
        queryset = queryset.filter(application__organisation__country__in=scope.countries)
    days: dict[str, list[float]] = defaultdict(list)
    triples = queryset.values_list("application__level", "application__submitted_at", "decided_at")
    # Submitted, by the filter above: the column may be null, these rows' never are.
    for level, submitted, decided in cast("QuerySet[Decision, tuple[str, datetime, datetime]]", triples).iterator(
        chunk_size=2000
    ):
        days[level].append((decided - submitted).total_seconds() / 86400)
    every = [d for values in days.values() for d in values]
    return DecisionTimes(
        per_level={level.value: _median(days.get(level.value, [])) for level in Level},
        overall=_median(every),
    )


def _median(values: list[float]) -> tuple[float | None, int]:
    return (statistics.median(values) if values else None, len(values))


# --------------------------------------------------------------------------- eligible organisations holding a label


@dataclass(frozen=True)
class EligibleRow:
    country: str
    eligible: int
    labelled: int

    @property
    def share(self) -> float | None:
        return 100 * self.labelled / self.eligible if self.eligible else None

    def to_json(self) -> dict[str, JSON]:
        return {"country": self.country, "eligible": self.eligible, "labelled": self.labelled}

    @classmethod
    def from_json(cls, data: Mapping[str, JSON]) -> EligibleRow:
        return cls(str(data["country"]), int(data["eligible"]), int(data["labelled"]))


def eligible_share(scope: Scope, today: date) -> list[EligibleRow]:
    """Per country: validated organisations that meet the eligibility criteria
    (``clusters.eligibility.with_eligibility``), and how many of them hold a label. One query."""
    counts = (
        with_eligibility(scope.organisations().filter(state=OrganisationState.ACTIVE))
        .annotate(holds=holds_label_on(today))
        .values("country")
        .annotate(
            eligible=Count("id", filter=Q(is_eligible=True)),
            labelled=Count("id", filter=Q(is_eligible=True, holds=True)),
        )
        .order_by("country")
    )
    # values() gives the stored code, not the Country the model's field is typed as.
    return [EligibleRow(cast(str, row["country"]), row["eligible"], row["labelled"]) for row in counts]


# --------------------------------------------------------------------------- country comparison


@dataclass(frozen=True)
class Comparison:
    country: str
    labelled: int
    gold_share: float | None
    median_labelled: float | None
    median_gold_share: float | None
    rows: list[CountryRow]


def country_comparison(country: str, today: date) -> Comparison:
    """The country next to the European median, the way the scheme's public figures
    are discussed: labelled organisations per country (over every country with an
    organisation in the portal) and the Gold share of labelled organisations (over
    the countries that have any). The medians are over all countries, whoever reads."""
    return comparison_of(country, by_country(Scope(countries=None), today))


def comparison_of(country: str, rows: list[CountryRow]) -> Comparison:
    """``country_comparison`` from the rows of every country (``by_country`` of every
    country, or their stored copy): no query."""
    own = next((r for r in rows if r.country == country), CountryRow(country))
    shares = [r.gold_share for r in rows if r.gold_share is not None]
    return Comparison(
        country=country,
        labelled=own.labelled,
        gold_share=own.gold_share,
        median_labelled=statistics.median([r.labelled for r in rows]) if rows else None,
        median_gold_share=statistics.median(shares) if shares else None,
        rows=rows,
    )
