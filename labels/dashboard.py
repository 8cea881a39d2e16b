"""Expiry tracking for a set of countries: the figures, their lists and the two charts.

A national partner reads it for its countries, the label office for all or one.
Every figure is one aggregate query over labels annotated with their state in
the database (``labels.selectors.with_state``), so the page costs the same
with 60 labels or 100,000.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clusters.enums import OrganisationState
from clusters.models import ClusterOrganisation
from clusters.rules import partner_countries_of
from common.enums import Level
from labels.enums import LabelState
from labels.models import Label
from labels.selectors import with_state
from labels.validity import end_of_month_after

HELD = (LabelState.VALID.value, LabelState.EXPIRING.value)
FIRST_YEAR = 2010
TIMELINE_MONTHS = 24


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    help: str
    lists: str  # "labels" or "organisations"


FIGURES: tuple[Figure, ...] = (
    Figure(
        "expiring-30", _("Expire within 30 days"), _("Valid labels whose last day is at most 30 days away."), "labels"
    ),
    Figure(
        "expiring-90", _("Expire within 90 days"), _("Valid labels whose last day is at most 90 days away."), "labels"
    ),
    Figure(
        "expiring-180",
        _("Expire within 180 days"),
        _("Valid labels whose last day is at most 180 days away."),
        "labels",
    ),
    Figure(
        "renewable",
        _("Expired, still renewable"),
        _("Expired labels inside their renewal window: renewing now continues them without a gap."),
        "labels",
    ),
    Figure(
        "lapsed",
        _("Lapsed"),
        _("Labels past their renewal window, of organisations that hold no valid label now."),
        "labels",
    ),
    Figure(
        "never",
        _("Never labelled"),
        _("Active organisations that have never held a label (a revoked one does not count)."),
        "organisations",
    ),
    Figure(
        "holding",
        _("Hold a valid label"),
        _("Organisations with a valid label today: the figure that opens label-based calls."),
        "organisations",
    ),
)
FIGURE_KEYS = {figure.key: figure for figure in FIGURES}
EXPIRY_HORIZONS = {"expiring-30": 30, "expiring-90": 90, "expiring-180": 180}


def scoped_labels(countries: Sequence[str] | None, today: date) -> QuerySet[Label]:
    """Labels of organisations in ``countries`` (None: every country), with their state."""
    labels = Label.objects.all()
    if countries is not None:
        labels = labels.filter(organisation__country__in=list(countries))
    return with_state(labels, today)


def scoped_organisations(countries: Sequence[str] | None) -> QuerySet[ClusterOrganisation]:
    organisations = ClusterOrganisation.objects.all()
    if countries is not None:
        organisations = organisations.filter(country__in=list(countries))
    return organisations


def _holds_a_label_now(today: date) -> Exists:
    """The organisation holds some label that is valid today (any level), by the same
    rule as the "Hold a valid label" figure."""
    held = with_state(Label.objects.filter(organisation=OuterRef("organisation")), today).filter(state__in=HELD)
    return Exists(held)


def _figure_condition(key: str, today: date) -> Q:
    if key in EXPIRY_HORIZONS:
        return Q(state__in=HELD, valid_until__lte=today + timedelta(days=EXPIRY_HORIZONS[key]))
    if key == "renewable":
        return Q(state=LabelState.RENEWABLE)
    if key == "lapsed":
        return Q(state=LabelState.LAPSED, holds_now=False)
    if key == "holding":
        return Q(state__in=HELD)
    raise KeyError(key)


def dashboard_figures(countries: Sequence[str] | None, today: date) -> dict[str, int]:
    """Every figure of the dashboard: one query over labels, one over organisations."""
    label_keys = [f.key for f in FIGURES if f.lists == "labels"]
    counts: dict[str, int] = (
        scoped_labels(countries, today)
        .annotate(holds_now=_holds_a_label_now(today))
        .aggregate(
            **{key: Count("id", filter=_figure_condition(key, today)) for key in label_keys},
            holding=Count("organisation", filter=_figure_condition("holding", today), distinct=True),
        )
    )
    counts["never"] = never_labelled(countries).count()
    return counts


def never_labelled(countries: Sequence[str] | None) -> QuerySet[ClusterOrganisation]:
    return (
        scoped_organisations(countries)
        .filter(state=OrganisationState.ACTIVE)
        # A revoked label was never a label the organisation could show.
        .exclude(Exists(Label.objects.filter(organisation=OuterRef("pk"), revoked_at__isnull=True)))
    )


def figure_labels(key: str, countries: Sequence[str] | None, today: date) -> QuerySet[Label]:
    """The labels behind a figure, soonest deadline first."""
    labels = scoped_labels(countries, today).annotate(holds_now=_holds_a_label_now(today))
    return labels.filter(_figure_condition(key, today)).select_related("organisation").order_by("valid_until", "code")


def holding_organisations(countries: Sequence[str] | None, today: date) -> QuerySet[ClusterOrganisation]:
    held = with_state(Label.objects.filter(organisation=OuterRef("pk")), today).filter(state__in=HELD)
    return scoped_organisations(countries).filter(Exists(held)).order_by("country", "name")


def figure_organisations(key: str, countries: Sequence[str] | None, today: date) -> QuerySet[ClusterOrganisation]:
    if key == "never":
        return never_labelled(countries).order_by("country", "name")
    if key == "holding":
        return holding_organisations(countries, today)
    raise KeyError(key)


def expiry_timeline(countries: Sequence[str] | None, today: date) -> tuple[list[date], dict[str, list[int]]]:
    """Labels held today by the month they expire in, over the next 24 months, per level."""
    months = [end_of_month_after(today, offset) for offset in range(TIMELINE_MONTHS)]
    rows = (
        scoped_labels(countries, today)
        .filter(state__in=HELD, valid_until__lte=months[-1])
        .annotate(year=ExtractYear("valid_until"), month=ExtractMonth("valid_until"))
        .order_by()
        .values_list("year", "month", "level")
        .annotate(n=Count("id"))
    )
    index = {(m.year, m.month): i for i, m in enumerate(months)}
    per_level = {level.value: [0] * len(months) for level in Level}
    for year, month, level, n in rows:
        per_level[level][index[(year, month)]] += n
    return months, per_level


def labelled_organisations_per_year(
    countries: Sequence[str] | None, today: date
) -> tuple[list[int], dict[str, list[int]]]:
    """For each year since 2010, how many organisations held a label of each level at some time in it.

    One query: a conditional distinct count per year and level. Organisations
    are counted, not labels, so a label renewed mid-year (old and new both
    touch that year) counts once. Revoked labels are left out.
    """
    years = list(range(FIRST_YEAR, today.year + 1))
    labels = Label.objects.filter(revoked_at__isnull=True)
    if countries is not None:
        labels = labels.filter(organisation__country__in=list(countries))
    aggregates = {
        f"{level.value}_{year}": Count(
            "organisation",
            distinct=True,
            filter=Q(level=level.value, valid_from__lte=date(year, 12, 31), valid_until__gte=date(year, 1, 1)),
        )
        for level in Level
        for year in years
    }
    counts = labels.aggregate(**aggregates)
    return years, {level.value: [counts[f"{level.value}_{year}"] for year in years] for level in Level}


def partner_expiry_panel(request: HttpRequest) -> dict[str, object]:
    """The expiry figures of the partner's countries, for its start page."""
    countries = sorted(partner_countries_of(request.user))
    counts = dashboard_figures(countries, timezone.localdate())
    return {"figures": [{"figure": figure, "count": counts[figure.key]} for figure in FIGURES]}
