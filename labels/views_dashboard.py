"""Expiry dashboards (partners for their countries, the office for all) and a label's own page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, TypeAlias, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from clusters.models import ClusterOrganisation
from common.charts.bar import bar_chart
from common.charts.frame import Chart, Series
from common.csv_export import csv_response
from common.enums import Level
from common.http import AuthenticatedHttpRequest
from common.permissions import permission_required
from labels import dashboard
from labels import statistics as stats
from labels.enums import LabelState
from labels.figures import DASHBOARD, DASHBOARD_PAGE, Stored, Timeline, figures_read, scope_key
from labels.forms import CertificateLanguageForm, LabelCorrectForm, LabelReinstateForm, LabelRevokeForm
from labels.models import Label
from labels.reminders import reminders_of, renewal_url
from labels.selectors import LabelWithState, StateAnnotation, label_events_of
from labels.statistics import Scope
from labels.validity import label_state, renewal_opens_on, renewal_window_end
from labels.views_statistics import CHARTS_KEPT_SECONDS, Figures, country_name

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

PAGE_SIZE = 50
RENEWABLE_STATES = (LabelState.VALID, LabelState.EXPIRING, LabelState.RENEWABLE)


def _scope_for(request: HttpRequest) -> tuple[Scope, str]:
    """The person's scope by the statistics' own rule (the office every country or
    the one it picks, a partner its own countries or one of them), and the
    country picked. A country outside the person's own is ignored, never shown."""
    picked = request.GET.get("country", "").upper()[:2]
    scope = stats.scope_for(request.user, picked or None)
    return scope, picked if scope.countries == (picked,) else ""


@permission_required("labels.view_dashboard")
def dashboard_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The figures and charts, read from the rows the worker keeps ready (``labels.figures``)."""
    codes = stats.country_choices_for(request.user)
    # Only a country that has figures: another one would be a scope no refresh computes.
    picked = request.GET.get("country", "").upper()[:2]
    scope = stats.scope_for(request.user, picked if picked in codes else None)
    picked = picked if scope.countries == (picked,) else ""
    stored = figures_read(scope, DASHBOARD_PAGE)
    query = urlencode({"country": picked}) if picked else ""
    context: dict[str, object] = {
        "today": stored.day,
        "stored": stored,
        "country_choices": [(code, country_name(code)) for code in codes],
        "picked": picked,
        "scope_all": scope.countries is None,
    }
    if not stored.missing:
        counts = stored.dashboard()
        context |= {
            "figures": [
                {"figure": figure, "count": counts[figure.key], "query": query} for figure in dashboard.FIGURES
            ],
            "charts_html": dashboard_charts(stored),
        }
    return render(request, "labels/dashboard.html", context)


def dashboard_charts(stored: Stored) -> SafeString:
    """The dashboard's two charts, drawn once per stored figures, scope and language (as the
    statistics overview's, ``labels.views_statistics.overview_charts``)."""
    key = f"dashboard:charts:{scope_key(stored.scope)}:{stored.version}:{get_language()}"

    def draw() -> str:
        charts = {"timeline": _timeline_chart(stored.timeline()), "per_year": Figures(stored).held_per_year()}
        return render_to_string("labels/_dashboard_charts.html", charts)

    # Our own template's output, escaped when it was drawn.
    return mark_safe(str(cache.get_or_set(key, draw, timeout=CHARTS_KEPT_SECONDS)))


def partner_expiry_panel(request: AuthenticatedHttpRequest) -> dict[str, object]:
    """The expiry figures of the partner's countries, for its start page (stored rows, ``labels.figures``)."""
    stored = figures_read(stats.scope_for(request.user), (DASHBOARD,))
    counts = {} if stored.missing else stored.dashboard()
    return {
        "stored": stored,
        "figures": [{"figure": figure, "count": counts[figure.key]} for figure in dashboard.FIGURES if counts],
    }


def _timeline_chart(timeline: Timeline) -> Chart:
    months, per_level = timeline.months, timeline.per_level
    return bar_chart(
        title=_("Labels expiring in the next 24 months"),
        description=_("Labels valid today, by the month in which they expire, per level."),
        categories=[f"{m:%Y-%m}" for m in months],
        series=[Series(name=str(level.label), values=per_level[level.value]) for level in Level],
        stacked=True,
        category_name=_("Month"),
    )


class ListedLabelAttributes(StateAnnotation):
    # Worked out in Python for the labels of one page (dashboard_list), not annotated.
    window_end: date
    days_left: int


ListedLabel: TypeAlias = "WithAnnotations[Label, ListedLabelAttributes]"


@permission_required("labels.view_dashboard")
def dashboard_list(request: AuthenticatedHttpRequest, figure: str) -> HttpResponseBase:
    if figure not in dashboard.FIGURE_KEYS:
        raise Http404
    described = dashboard.FIGURE_KEYS[figure]
    scope, picked = _scope_for(request)
    today = timezone.localdate()
    page: Page[LabelWithState] | Page[ClusterOrganisation]
    if described.lists == "labels":
        labels = dashboard.figure_labels(figure, scope, today)
        if request.GET.get("format") == "csv":
            return csv_response(filename=f"labels-{figure}.csv", header=LABEL_COLUMNS, rows=_label_csv(labels, today))
        page = Paginator(labels, PAGE_SIZE).get_page(request.GET.get("page"))
        for label in cast("Page[ListedLabel]", page):
            label.window_end = renewal_window_end(level=label.level, valid_until=label.valid_until)
            label.days_left = (label.valid_until - today).days
    else:
        organisations = dashboard.figure_organisations(figure, scope, today)
        if request.GET.get("format") == "csv":
            return csv_response(
                filename=f"organisations-{figure}.csv",
                header=ORGANISATION_COLUMNS,
                rows=_organisation_csv(organisations),
            )
        page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "labels/dashboard_list.html",
        {"figure": described, "page": page, "picked": picked, "today": today, "country_query": _query(picked)},
    )


def _query(picked: str) -> str:
    return urlencode({"country": picked}) if picked else ""


LABEL_COLUMNS = [
    "code",
    "organisation",
    "country",
    "level",
    "valid_from",
    "valid_until",
    "days_left",
    "state",
    "last_day_to_renew",
]
ORGANISATION_COLUMNS = ["name", "country", "city", "state", "website"]


def _label_csv(labels: QuerySet[LabelWithState], today: date) -> Iterator[list[object]]:
    for label in labels.iterator(chunk_size=500):
        yield [
            label.code,
            label.organisation.name,
            label.organisation.country.code,
            label.level,
            label.valid_from.isoformat(),
            label.valid_until.isoformat(),
            (label.valid_until - today).days,
            label.state,
            renewal_window_end(level=label.level, valid_until=label.valid_until).isoformat(),
        ]


def _organisation_csv(organisations: QuerySet[ClusterOrganisation]) -> Iterator[list[object]]:
    for organisation in organisations.iterator(chunk_size=500):
        yield [
            organisation.name,
            organisation.country.code,
            organisation.city,
            organisation.state,
            organisation.website,
        ]


@login_required
def label_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """One label for its organisation's people, the country's partner and the office:
    its dates, the renewal window, its history, every reminder sent and, for the
    office, the forms of its actions (``labels.views``' actions post here back)."""
    label = get_object_or_404(LABEL_PAGE_QUERYSET, code=code)
    if not request.user.has_perm("labels.view_label", label):
        raise Http404  # no hint that the code exists
    return label_detail_page(request, label)


# What the label's page reads of a label: the actions load it the same way.
LABEL_PAGE_QUERYSET = Label.objects.select_related("organisation", "superseded_by", "revoked_by")


def label_detail_page(request: HttpRequest, label: Label, status: int = 200, **bound: forms.Form) -> HttpResponse:
    """The label's page, with a refused action's form given back as typed (its errors beside it)."""
    today = timezone.localdate()
    state = label_state(label, today)
    action_forms = {
        "revoke_form": LabelRevokeForm(),
        "reinstate_form": LabelReinstateForm(),
        "correct_form": LabelCorrectForm(
            initial={"organisation_name": label.organisation.name, "valid_until": label.valid_until}
        ),
        "language_form": CertificateLanguageForm(initial={"certificate_language": label.certificate_language}),
        **bound,
    }
    return render(
        request,
        "labels/label_detail.html",
        {
            "label": label,
            "state": state,
            "window_end": renewal_window_end(level=label.level, valid_until=label.valid_until),
            "reminders": reminders_of(label),
            "events": label_events_of(label),
            "can_manage": request.user.has_perm("labels.manage_label"),
            "renew_url": renewal_url(label),
            "renewal_opens_on": renewal_opens_on(level=label.level, valid_until=label.valid_until),
            # A renewal opens some months before expiry (LABEL_SCHEME), not the day after the award.
            "can_renew": state in RENEWABLE_STATES
            and today >= renewal_opens_on(level=label.level, valid_until=label.valid_until)
            and request.user.has_perm("assessments.start_application", label.organisation),
            **action_forms,
        },
        status=status,
    )
