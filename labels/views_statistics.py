"""Statistics pages: each figure as a chart and a table, exportable to CSV.

Policy readers and the label office read every country (and may filter by
one); national partner staff read their own countries only. The figures are
those of ``labels.statistics``, read from the rows the worker keeps ready
(``labels.figures``); this module only turns them into charts.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.charts.bar import bar_chart
from common.charts.frame import MISSING, Chart, Series
from common.charts.heat import heatmap
from common.charts.line import line_chart
from common.countries import country_name
from common.csv_export import csv_response, csv_safe
from common.enums import Level
from common.http import AuthenticatedHttpRequest
from common.permissions import permission_required
from labels import statistics as stats
from labels.figures import BY_COUNTRY, STATISTICS_PAGE, Stored, figures_read, scope_key

PERCENT = "{:.0f} %"
DAYS = "{:,.0f}"


def _level_name(level: str) -> str:
    return str(Level(level).label)


class Figures:
    """The charts of one scope's stored figures (``labels.figures.Stored``); each is decoded once per request."""

    def __init__(self, stored: Stored, focus: str | None = None) -> None:
        self.stored = stored
        # The day they were computed for: the years of the charts run to it.
        self.today = stored.day
        self.focus = focus

    @cached_property
    def _countries(self) -> list[stats.CountryRow]:
        return self.stored.by_country()

    def organisations_by_country(self) -> Chart:
        rows = self._countries
        return bar_chart(
            title=_("Organisations and labelled organisations by country"),
            description=_("Validated organisations, and organisations holding a valid label today, per country."),
            categories=[country_name(r.country) for r in rows],
            series=[
                Series(_("Organisations"), [r.organisations for r in rows]),
                Series(_("Labelled organisations"), [r.labelled for r in rows]),
            ],
            highlight=country_name(self.focus) if self.focus else None,
            category_name=_("Country"),
        )

    def labels_by_level(self) -> Chart:
        rows = self._countries
        return bar_chart(
            title=_("Labelled organisations by country and level"),
            description=_("Organisations holding a valid label today, per country, stacked by level."),
            categories=[country_name(r.country) for r in rows],
            series=[Series(_level_name(level), [r.by_level.get(level.value, 0) for r in rows]) for level in Level],
            stacked=True,
            highlight=country_name(self.focus) if self.focus else None,
            category_name=_("Country"),
        )

    def labels_by_level_total(self) -> Chart:
        totals = stats.by_level(self._countries)
        return bar_chart(
            title=_("Labelled organisations by level"),
            description=_("Organisations holding a valid label today, per level."),
            categories=[_level_name(level) for level in totals],
            series=[Series(_("Labelled organisations"), list(totals.values()))],
            category_name=_("Level"),
        )

    def organisations_by_sector(self) -> Chart:
        rows = self.stored.by_sector()
        return bar_chart(
            title=_("Organisations and labelled organisations by sector"),
            description=_("An organisation working in several sectors counts in each of them."),
            categories=[r.sector for r in rows],
            series=[
                Series(_("Organisations"), [r.organisations for r in rows]),
                Series(_("Labelled organisations"), [r.labelled for r in rows]),
            ],
            category_name=_("Sector"),
        )

    def held_per_year(self) -> Chart:
        per_level = self.stored.held_per_year()
        return bar_chart(
            # Organisations, not labels: a label renewed mid-year counts once.
            title=_("Labelled organisations per year since %(year)d") % {"year": stats.FIRST_YEAR},
            description=_(
                "Organisations holding a label at some time in the year, by level; revoked labels are left out."
            ),
            categories=[str(year) for year in stats.years_until(self.today)],
            series=[Series(_level_name(level), values) for level, values in per_level.items()],
            stacked=True,
            highlight=str(self.today.year),
            category_name=_("Year"),
        )

    @cached_property
    def _renewals(self) -> stats.Renewals:
        return self.stored.renewals()

    def renewal_rate_by_year(self) -> Chart:
        data = self._renewals
        series = [Series(_("All countries shown"), [data.rate(pair) for pair in data.total])]
        if len(data.by_country) > 1 and self.focus in data.by_country:
            series.append(Series(country_name(self.focus), [data.rate(p) for p in data.by_country[self.focus]]))
        return line_chart(
            title=_("Renewal rate by year of expiry"),
            description=_(
                "Of the labels that expired in the year, the share renewed inside the renewal window. "
                "Labels whose window is still open and not yet renewed are left out."
            ),
            categories=[str(year) for year in data.years],
            series=series,
            value_format=PERCENT,
            category_name=_("Year of expiry"),
        )

    def renewal_rate_by_country(self) -> Chart:
        data = self._renewals
        first = _first_year_with_data(data)
        years = data.years[first:]
        return heatmap(
            title=_("Renewal rate by country and year of expiry"),
            description=_(
                "Each cell: of the labels of the country that expired that year, the share renewed inside "
                "the window. Vermillion is low, blue high; an empty cell means no label expired."
            ),
            rows=[country_name(code) for code in data.by_country],
            columns=[str(year) for year in years],
            values=[[data.rate(pair) for pair in pairs[first:]] for pairs in data.by_country.values()],
            value_format=PERCENT,
            row_name=_("Country"),
            # Counts beside the rates: a 0 % of five labels weighs more than a 0 % of one.
            row_notes=[
                _("%(renewed)d of %(expired)d")
                % {"renewed": sum(p[1] for p in pairs), "expired": sum(p[0] for p in pairs)}
                for pairs in data.by_country.values()
            ],
            notes_name=_("Renewed of expired, all years"),
            highlight=country_name(self.focus) if self.focus else None,
        )

    def decision_time(self) -> Chart:
        data = self.stored.decision_times()
        items = [(_level_name(level), *figures) for level, figures in data.per_level.items()]
        items.append((_("All levels"), *data.overall))
        return bar_chart(
            title=_("Median time from submission to decision"),
            description=_("Days from the submission of an application to the committee's decision."),
            categories=[f"{name} (n={count})" for name, _median, count in items],
            series=[Series(_("Median days"), [median for _name, median, _count in items])],
            value_format=DAYS,
            category_name=_("Level (decisions)"),
        )

    def eligible_share(self) -> Chart:
        rows = self.stored.eligible_share()
        eligible = sum(r.eligible for r in rows)
        labelled = sum(r.labelled for r in rows)
        return bar_chart(
            title=_("Share of eligible organisations holding a label"),
            description=_(
                "Validated organisations that meet the eligibility criteria, "
                "and the share of them holding a valid label today."
            ),
            categories=[*(country_name(r.country) for r in rows), _("All countries shown")],
            series=[
                Series(
                    _("Share holding a label"),
                    [*(r.share for r in rows), 100 * labelled / eligible if eligible else None],
                )
            ],
            value_format=PERCENT,
            highlight=country_name(self.focus) if self.focus else None,
            category_name=_("Country"),
        )


def _first_year_with_data(data: stats.Renewals) -> int:
    """Leave out the leading years in which no label expired, so the grid stays readable."""
    return next((i for i, (expired, _renewed) in enumerate(data.total) if expired), 0)


OVERVIEW: dict[str, Callable[[Figures], Chart]] = {
    "renewal-rate": Figures.renewal_rate_by_year,
    "renewal-rate-by-country": Figures.renewal_rate_by_country,
    "held-per-year": Figures.held_per_year,
    "by-country": Figures.organisations_by_country,
    "by-country-and-level": Figures.labels_by_level,
    "by-level": Figures.labels_by_level_total,
    "by-sector": Figures.organisations_by_sector,
    "decision-time": Figures.decision_time,
    "eligible-share": Figures.eligible_share,
}


def _country_filter(request: HttpRequest, choices: list[str] | None = None) -> tuple[str | None, list[str]]:
    choices = stats.country_choices_for(request.user) if choices is None else choices
    country = request.GET.get("country", "").upper()
    return (country if country in choices else None), choices


# Kept under the stored figures' version: a refresh writes new rows, hence new keys.
CHARTS_KEPT_SECONDS = 24 * 3600


def overview_charts(stored: Stored, country: str | None) -> SafeString:
    """The overview's charts and their tables, drawn once per stored figures, scope, country and
    language: the nine SVG charts were most of the page's time, and only a refresh changes them."""
    key = f"statistics:overview:{scope_key(stored.scope)}:{stored.version}:{country or ''}:{get_language()}"

    def draw() -> str:
        figures = Figures(stored, focus=country)
        charts = [(slug, build(figures)) for slug, build in OVERVIEW.items()]
        return render_to_string("labels/_statistics_charts.html", {"charts": charts, "country": country})

    # Our own template's output, escaped when it was drawn.
    return mark_safe(str(cache.get_or_set(key, draw, timeout=CHARTS_KEPT_SECONDS)))


def comparison_charts(stored: Stored, comparison: stats.Comparison) -> SafeString:
    """The comparison's two charts, drawn once per stored figures, country and language (``overview_charts``)."""
    key = f"statistics:comparison:{stored.version}:{comparison.country}:{get_language()}"

    def draw() -> str:
        charts = _comparison_charts(comparison)
        return render_to_string("labels/_comparison_charts.html", {"charts": charts, "country": comparison.country})

    # Our own template's output, escaped when it was drawn.
    return mark_safe(str(cache.get_or_set(key, draw, timeout=CHARTS_KEPT_SECONDS)))


@permission_required("labels.read_statistics")
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    country, choices = _country_filter(request)
    scope = stats.scope_for(request.user, country)
    stored = figures_read(scope, STATISTICS_PAGE)
    return render(
        request,
        "labels/statistics_overview.html",
        {
            "stored": stored,
            "charts_html": "" if stored.missing else overview_charts(stored, country),
            "country": country,
            "choices": [(code, country_name(code)) for code in choices],
            "all_countries": stats.reads_all_countries(request.user),
            "scope_names": [country_name(code) for code in scope.countries or ()],
        },
    )


def _comparison_charts(comparison: stats.Comparison) -> list[tuple[str, Chart]]:
    name = country_name(comparison.country)
    median = _("European median")
    return [
        (
            "comparison-labelled",
            bar_chart(
                title=_("Labelled organisations: %(country)s and the European median") % {"country": name},
                description=_(
                    "Organisations holding a valid label today; the median is over every country in the portal."
                ),
                categories=[name, median],
                series=[Series(_("Labelled organisations"), [comparison.labelled, comparison.median_labelled])],
                value_format="{:,.1f}",
                highlight=name,
                category_name=_("Country"),
            ),
        ),
        (
            "comparison-gold-share",
            bar_chart(
                title=_("Gold share: %(country)s and the European median") % {"country": name},
                description=_(
                    "Share of the labelled organisations that hold Gold; the median is over the countries with any."
                ),
                categories=[name, median],
                series=[Series(_("Gold share"), [comparison.gold_share, comparison.median_gold_share])],
                value_format=PERCENT,
                highlight=name,
                category_name=_("Country"),
            ),
        ),
        (
            "comparison-ranking",
            bar_chart(
                title=_("Labelled organisations per country"),
                description=_("Every country in the portal, by organisations holding a valid label today."),
                categories=[country_name(r.country) for r in comparison.rows],
                series=[
                    Series(_level_name(level), [r.by_level.get(level.value, 0) for r in comparison.rows])
                    for level in Level
                ],
                stacked=True,
                highlight=name,
                category_name=_("Country"),
            ),
        ),
    ]


def _comparison_country(request: HttpRequest, choices: list[str]) -> str | None:
    country, _choices = _country_filter(request, choices)
    if country:
        return country
    return choices[0] if choices else None


@permission_required("labels.read_statistics")
def comparison(request: AuthenticatedHttpRequest) -> HttpResponse:
    choices = stats.country_choices_for(request.user)
    country = _comparison_country(request, choices)
    # The medians and the ranking are over every country, whoever reads (``stats.country_comparison``).
    stored = figures_read(stats.Scope(countries=None), (BY_COUNTRY,))
    data = stats.comparison_of(country, stored.by_country()) if country and not stored.missing else None
    return render(
        request,
        "labels/statistics_comparison.html",
        {
            "stored": stored,
            "charts_html": comparison_charts(stored, data) if data else "",
            "comparison": data,
            "country": country,
            "country_label": country_name(country) if country else "",
            "choices": [(code, country_name(code)) for code in choices],
        },
    )


@permission_required("labels.read_statistics")
def export_csv(request: AuthenticatedHttpRequest, figure: str) -> HttpResponseBase:
    """One figure's table as CSV, for the same scope and filter as the page."""
    choices = stats.country_choices_for(request.user)
    if figure in OVERVIEW:
        country, _choices = _country_filter(request)
        stored = figures_read(stats.scope_for(request.user, country), STATISTICS_PAGE)
        if stored.missing:
            return _being_prepared()
        chart = OVERVIEW[figure](Figures(stored, focus=country))
    elif figure.startswith("comparison-"):
        country = _comparison_country(request, choices)
        if not country:
            raise Http404
        stored = figures_read(stats.Scope(countries=None), (BY_COUNTRY,))
        if stored.missing:
            return _being_prepared()
        charts = dict(_comparison_charts(stats.comparison_of(country, stored.by_country())))
        if figure not in charts:
            raise Http404
        chart = charts[figure]
    else:
        raise Http404
    return _csv_response(chart, f"{figure}-{slugify(country or 'all')}.csv")


def _being_prepared() -> HttpResponse:
    """No stored figures yet (the worker is computing them): try again shortly."""
    response = HttpResponse(
        _("The figures are being prepared. Please try again in a minute."),
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = "60"
    return response


def _csv_response(chart: Chart, filename: str) -> HttpResponseBase:
    # A spreadsheet reads an empty cell as "no figure"; the page's dash is for people.
    rows = [["" if cell == MISSING else cell for cell in row] for row in chart.rows]
    return csv_response(filename=filename, header=[str(csv_safe(h)) for h in chart.headers], rows=rows)
