"""Expiry tracking for a set of countries: the figures, their lists and the two charts.

A national partner reads it for its countries, the label office for all or one.
Every figure is one aggregate query over labels annotated with their state in
the database (``labels.selectors.with_state``); the worker computes them into
stored rows (``labels.figures``) and the page reads those. The lists behind a
figure are paginated queries, read live.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clusters.enums import OrganisationState
from clusters.models import ClusterOrganisation
from common.enums import Level
from labels.enums import LabelState
from labels.models import Label
from labels.selectors import LabelWithState, held_on, holds_label_on, with_state
from labels.statistics import Scope
from labels.validity import end_of_month_after

HELD = (LabelState.VALID.value, LabelState.EXPIRING.value)
TIMELINE_MONTHS = 24


@dataclass(frozen=True)
class Figure:
    key: str
    title: str | Promise
    help: str | Promise
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


def scoped_labels(scope: Scope, today: date) -> QuerySet[LabelWithState]:
    """The scope's labels, with their state."""
    return with_state(scope.labels(), today)


def _figure_condition(key: str, today: date) -> Q:
    if key in EXPIRY_HORIZONS:
        return Q(state__in=HELD, valid_until__lte=today + timedelta(days=EXPIRY_HORIZONS[key]))
    if key == "renewable":
        return Q(state=LabelState.RENEWABLE)
    if key == "lapsed":
        return Q(state=LabelState.LAPSED, holds_now=False)
    if key == "holding":
        return held_on(today)
    raise KeyError(key)


def dashboard_figures(scope: Scope, today: date) -> dict[str, int]:
    """Every figure of the dashboard: one query over labels, one over organisations.

    "Holding" and the organisations a lapsed label no longer counts for follow
    one definition of holding a label (``labels.selectors.held_on``), the same
    as the statistics pages."""
    label_keys = [f.key for f in FIGURES if f.lists == "labels"]
    counts: dict[str, int] = (
        scoped_labels(scope, today)
        .annotate(holds_now=holds_label_on(today, "organisation"))
        .aggregate(
            **{key: Count("id", filter=_figure_condition(key, today)) for key in label_keys},
            holding=Count("organisation", filter=_figure_condition("holding", today), distinct=True),
        )
    )
    counts["never"] = never_labelled(scope).count()
    return counts


def never_labelled(scope: Scope) -> QuerySet[ClusterOrganisation]:
    return (
        scope.organisations()
        .filter(state=OrganisationState.ACTIVE)
        # A revoked label was never a label the organisation could show.
        .exclude(Exists(Label.objects.filter(organisation=OuterRef("pk"), revoked_at__isnull=True)))
    )


def figure_labels(key: str, scope: Scope, today: date) -> QuerySet[LabelWithState]:
    """The labels behind a figure, soonest deadline first."""
    labels = scoped_labels(scope, today).annotate(holds_now=holds_label_on(today, "organisation"))
    return labels.filter(_figure_condition(key, today)).select_related("organisation").order_by("valid_until", "code")


def figure_organisations(key: str, scope: Scope, today: date) -> QuerySet[ClusterOrganisation]:
    if key == "never":
        return never_labelled(scope).order_by("country", "name")
    if key == "holding":
        return scope.organisations().filter(holds_label_on(today)).order_by("country", "name")
    raise KeyError(key)


def expiry_timeline(scope: Scope, today: date) -> tuple[list[date], dict[str, list[int]]]:
    """Labels held today by the month they expire in, over the next 24 months, per level."""
    months = [end_of_month_after(today, offset) for offset in range(TIMELINE_MONTHS)]
    rows = (
        scoped_labels(scope, today)
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
