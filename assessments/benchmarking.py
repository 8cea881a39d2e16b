"""The benchmarking report: where an organisation stands among its peers.

For every numeric indicator (whole number, decimal, percentage) of a completed
benchmarking, the organisation's answer is set against its peers, in four peer
groups: all benchmarked organisations, the same country, the same sector, the
same label level.

Definitions (the README's "Benchmarking report" repeats them for readers):

- A **completed benchmarking** is a Bronze application in one of
  ``rules.BENCHMARKING_COMPLETED_STATES`` (awarded). Silver in this portal is
  an improvement report with its own questionnaire, not a second Bronze form,
  so it adds no benchmarking.
- **Peers** are the latest completed benchmarking of every *other*
  organisation (latest by interview date). The organisation itself is never
  its own peer, and its older benchmarkings do not count either.
- Answers are matched by indicator code, so peers answered on an older
  questionnaire version still count where the code and a numeric type agree.
- **Same sector**: sharing at least one sector with the organisation.
  **Same label level**: the same highest level the organisation holds, from
  the portal's awarded applications and from the labels app's current labels
  (imported ones included), which it provides through ``assessments.providers``.
- **k-anonymity**: a peer group with fewer than ``MIN_PEERS`` organisations is
  not shown at all, and on one indicator a group is not shown when fewer than
  ``MIN_PEERS`` of its organisations answered it. The page says why. Peers'
  answers only ever leave this module as group statistics.
- **Quartiles**: see ``quartiles``. **Percentile**: see ``percentile_rank``.

Peer values are read with a fixed number of set-based queries, whatever the
number of peers.
"""

from __future__ import annotations

import hashlib
import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments.enums import NUMERIC_TYPES, AnswerType, ApplicationState
from assessments.models import (
    Answer,
    Application,
    AssessmentReport,
    BenchmarkingReport,
    Indicator,
    Score,
    Section,
)
from assessments.providers import levels_held_elsewhere
from assessments.rules import BENCHMARKING_COMPLETED_STATES
from clusters.models import ClusterOrganisation
from common.charts import Box, Chart, Series, bar_chart, box_plot
from common.enums import Level
from common.pdf import render_pdf

# Fewer organisations than this and a figure could be traced back to one of them.
MIN_PEERS = 5
PDF_TEMPLATE = "assessments/benchmarking_pdf.html"
LEVEL_RANK = {level: rank for rank, level in enumerate(Level.values)}


# --- The statistics: pure functions --------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """The five-number summary of one peer group's answers to one indicator."""

    count: int
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """The lower quartile, the median and the upper quartile of at least two values.

    Linear interpolation between the sorted values, inclusive of the extremes
    (``statistics.quantiles(method="inclusive")``, Excel's ``QUARTILE.INC``,
    R's type 7): the p-quantile of n sorted values x[0..n-1] lies at position
    h = (n - 1) * p, that is x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]).
    For 1, 2, 3, 4, 5: 2, 3, 4. For 1, 2, 3, 4: 1.75, 2.5, 3.25.
    """
    if len(values) < 2:
        raise ValueError("quartiles need at least two values")
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


def summarise(values: Sequence[float]) -> Summary:
    q1, median, q3 = quartiles(values)
    return Summary(len(values), min(values), q1, median, q3, max(values))


def percentile_rank(value: float, peers: Sequence[float]) -> float:
    """The organisation's percentile among its peers, in per cent (0 to 100).

    The share of peers with a lower value, plus half the share with the same
    value (the mid-rank definition): 50 means as many peers above as below,
    whatever the ties. Against 10, 20, 30, 40: 25 gives 50, 20 gives 37.5.
    """
    if not peers:
        raise ValueError("a percentile needs peers")
    below = sum(1 for peer in peers if peer < value)
    same = sum(1 for peer in peers if peer == value)
    return 100 * (below + same / 2) / len(peers)


def standing(value: float, summary: Summary) -> str:
    """Where the value lies, in words. Neutral on purpose: for a share of public
    funding, say, a high figure is neither good nor bad."""
    if value < summary.q1:
        return _("in the lowest quarter")
    if value > summary.q3:
        return _("in the highest quarter")
    if value < summary.median:
        return _("below the median")
    if value > summary.median:
        return _("above the median")
    return _("at the median")


def as_number(value: Any) -> float | None:
    """A stored numeric answer (an int, or a decimal string) as a float; None when unanswered."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return float(number) if number.is_finite() else None


# --- The peers: selectors -------------------------------------------------------------------------


def completed_benchmarkings() -> QuerySet[Application]:
    return Application.objects.filter(level=Level.BRONZE, state__in=BENCHMARKING_COMPLETED_STATES)


def latest_completed_benchmarkings() -> QuerySet[Application]:
    """The latest completed benchmarking of each organisation: one row per organisation."""
    newest = (
        completed_benchmarkings()
        .filter(organisation=OuterRef("organisation"))
        .order_by(F("assessed_on").desc(nulls_last=True), "-pk")
        .values("pk")[:1]
    )
    return completed_benchmarkings().filter(pk=Subquery(newest))


@dataclass(frozen=True)
class PeerData:
    """What the peer groups are made of. Values stay inside this module."""

    values: dict[int, dict[str, float]]  # organisation id -> indicator code -> answer
    countries: dict[int, str]
    sharing_sector: frozenset[int]
    levels: dict[int, str]


def peer_data(application: Application, codes: Sequence[str]) -> PeerData:
    """Four queries, whatever the number of peers."""
    organisation = application.organisation
    peers = latest_completed_benchmarkings().exclude(organisation=organisation)
    countries = {
        org_id: str(country) for org_id, country in peers.values_list("organisation_id", "organisation__country")
    }
    values: dict[int, dict[str, float]] = {org_id: {} for org_id in countries}
    answers = Answer.objects.filter(
        application__in=peers, indicator__code__in=codes, indicator__answer_type__in=NUMERIC_TYPES
    ).values_list("application__organisation_id", "indicator__code", "value")
    for org_id, code, raw in answers:
        number = as_number(raw)
        if number is not None:
            values.setdefault(org_id, {})[code] = number
    sharing = ClusterOrganisation.objects.filter(
        pk__in=peers.values("organisation_id"), sectors__in=organisation.sectors.values("pk")
    ).values_list("pk", flat=True)
    return PeerData(values, countries, frozenset(sharing), highest_levels(organisation, peers))


def highest_levels(organisation: ClusterOrganisation, peers: QuerySet[Application]) -> dict[int, str]:
    """The highest level each organisation holds: awarded through the portal, or a current label."""
    awarded = list(
        Application.objects.filter(
            Q(organisation__in=peers.values("organisation_id")) | Q(organisation=organisation),
            state=ApplicationState.AWARDED,
        ).values_list("organisation_id", "level")
    )
    # Every peer has an awarded (completed) benchmarking, so ``awarded`` names them all.
    ids = {org_id for org_id, _level in awarded} | {organisation.pk}
    held = [pair for lookup in levels_held_elsewhere(ids) for pair in lookup.items()]
    levels: dict[int, str] = {}
    for org_id, level in [*awarded, *held]:
        if LEVEL_RANK[level] > LEVEL_RANK.get(levels.get(org_id, ""), -1):
            levels[org_id] = level
    return levels


# --- Peer groups ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeerGroup:
    key: str
    label: str
    members: frozenset[int]
    unavailable: str = ""  # why the organisation has no such group (no sector recorded)

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def shown(self) -> bool:
        return not self.unavailable and self.size >= MIN_PEERS

    @property
    def withheld_reason(self) -> str:
        if self.unavailable:
            return self.unavailable
        if self.shown:
            return ""
        return _(
            "Not shown: fewer than %(k)d other organisations in this group have a completed benchmarking, "
            "and the figures of so few could be traced back to one of them."
        ) % {"k": MIN_PEERS}


def peer_groups(application: Application, data: PeerData, sector_names: Sequence[str]) -> list[PeerGroup]:
    organisation = application.organisation
    everyone = frozenset(data.countries)
    own_level = data.levels.get(organisation.pk, Level.BRONZE)
    return [
        PeerGroup("all", _("All benchmarked organisations"), everyone),
        PeerGroup(
            "country",
            str(organisation.country.name),
            frozenset(o for o, country in data.countries.items() if country == organisation.country.code),
        ),
        PeerGroup(
            "sector",
            ", ".join(sector_names) or _("Same sector"),
            data.sharing_sector & everyone,
            "" if sector_names else _("Not shown: the organisation has no sector recorded."),
        ),
        PeerGroup(
            "level",
            _("%(level)s label holders") % {"level": Level(own_level).label},
            frozenset(o for o in everyone if data.levels.get(o, Level.BRONZE) == own_level),
        ),
    ]


# --- The report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupFigure:
    """One peer group on one indicator: its summary and where the organisation stands in it."""

    group: PeerGroup
    summary: Summary | None
    percentile: float | None
    standing: str
    note: str
    median_display: str = ""


@dataclass(frozen=True)
class IndicatorBenchmark:
    indicator: Indicator
    value: float | None
    figures: list[GroupFigure]
    comment: str
    recommendation: str
    chart: Chart

    @property
    def value_display(self) -> str:
        return format_value(self.indicator, self.value)


@dataclass(frozen=True)
class SectionBenchmark:
    section: Section
    indicators: list[IndicatorBenchmark]
    recommendation: str


@dataclass(frozen=True)
class BenchmarkingData:
    application: Application
    report: AssessmentReport | None
    groups: list[PeerGroup]
    sections: list[SectionBenchmark]
    profile: Chart

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.facts(), sort_keys=True).encode()).hexdigest()

    def facts(self) -> dict[str, Any]:
        """Everything the report shows; its hash decides whether the PDF is rendered again."""
        report = self.report
        return {
            "application": self.application.pk,
            "organisation": self.application.organisation.name,
            "assessed_on": str(self.application.assessed_on),
            "summary": report.summary if report else "",
            "strengths": report.strengths if report else "",
            "groups": [(g.key, g.label, g.size, g.withheld_reason) for g in self.groups],
            "indicators": [
                [
                    row.indicator.code,
                    row.indicator.title,
                    row.value,
                    row.comment,
                    row.recommendation,
                    [(f.group.key, f.summary and vars(f.summary), f.percentile, f.note) for f in row.figures],
                ]
                for section in self.sections
                for row in section.indicators
            ],
            "recommendations": [(s.section.code, s.recommendation) for s in self.sections],
            "template": template_fingerprint(),
            # The PDF is printed in the language of whoever asks for it.
            "language": translation.get_language(),
        }


def value_format(indicator: Indicator) -> str:
    if indicator.answer_type == AnswerType.INTEGER:
        return "{:,.0f}"
    if indicator.answer_type == AnswerType.PERCENTAGE:
        return "{:.1f} %"
    return "{:,.1f}"


def format_value(indicator: Indicator, value: float | None) -> str:
    if value is None:
        return _("not answered")
    text = value_format(indicator).format(value)
    return f"{text} {indicator.unit}" if indicator.unit else text


def benchmarking_report(application: Application) -> BenchmarkingData:
    """The whole report, in a fixed number of queries whatever the number of peers."""
    sections = list(
        Section.objects.filter(version=application.version)
        .order_by("position", "code")
        .prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.filter(answer_type__in=NUMERIC_TYPES).order_by("position", "code"),
            )
        )
    )
    codes = [indicator.code for section in sections for indicator in section.indicators.all()]
    own = {
        code: as_number(raw)
        for code, raw in Answer.objects.filter(application=application, indicator__code__in=codes).values_list(
            "indicator__code", "value"
        )
    }
    scores = {s.indicator_id: s for s in Score.objects.filter(application=application, assignment__isnull=True)}
    report = AssessmentReport.objects.filter(application=application).first()
    sector_names = [sector.name for sector in application.organisation.sectors.order_by("name")]
    data = peer_data(application, codes)
    groups = peer_groups(application, data, sector_names)
    recommendations = (report.recommendations if report else None) or {}
    benchmarks = [
        SectionBenchmark(
            section,
            [
                indicator_benchmark(indicator, own.get(indicator.code), groups, data.values, scores.get(indicator.pk))
                for indicator in section.indicators.all()
            ],
            str(recommendations.get(section.code, "")),
        )
        for section in sections
        if section.indicators.all()
    ]
    return BenchmarkingData(application, report, groups, benchmarks, profile_chart(benchmarks, groups))


def group_figure(group: PeerGroup, value: float | None, answers: list[float], fmt: str = "{}") -> GroupFigure:
    if not group.shown:
        return GroupFigure(group, None, None, "", group.withheld_reason)
    if len(answers) < MIN_PEERS:
        note = _(
            "Not shown: fewer than %(k)d organisations of this group answered this indicator, "
            "and the figures of so few could be traced back to one of them."
        ) % {"k": MIN_PEERS}
        return GroupFigure(group, None, None, "", note)
    summary = summarise(answers)
    median = fmt.format(summary.median)
    if value is None:
        return GroupFigure(group, summary, None, "", _("This organisation did not answer."), median)
    return GroupFigure(group, summary, percentile_rank(value, answers), standing(value, summary), "", median)


def indicator_benchmark(
    indicator: Indicator,
    value: float | None,
    groups: list[PeerGroup],
    values: dict[int, dict[str, float]],
    score: Score | None,
) -> IndicatorBenchmark:
    figures = [
        group_figure(
            group,
            value,
            [values[o][indicator.code] for o in sorted(group.members) if indicator.code in values[o]],
            value_format(indicator),
        )
        for group in groups
    ]
    return IndicatorBenchmark(
        indicator=indicator,
        value=value,
        figures=figures,
        comment=score.comment if score else "",
        recommendation=score.recommendation if score else "",
        chart=indicator_chart(indicator, value, figures),
    )


# --- Charts (common.charts draws them: the same SVG for the page and the PDF) ---------------------


def indicator_chart(indicator: Indicator, value: float | None, figures: list[GroupFigure]) -> Chart:
    boxes = [
        Box(
            f.group.label,
            *((s.minimum, s.q1, s.median, s.q3, s.maximum) if (s := f.summary) else (None,) * 5),
            marker=value if f.summary else None,
            note=f.note,
        )
        for f in figures
    ]
    # One scale for every group, starting at zero for counts and shares, so the
    # boxes of one indicator compare at a glance.
    summaries = [f.summary for f in figures if f.summary]
    ends = [n for s in summaries for n in (s.minimum, s.maximum)] + ([value] if value is not None else [])
    scale = (min(0.0, *ends), nice_ceiling(max(ends))) if summaries else None
    return box_plot(
        title=chart_title(indicator),
        boxes=boxes,
        value_format=value_format(indicator),
        marker_name=_("This organisation"),
        description=indicator_description(indicator, value, figures),
        scale=scale if scale and scale[1] > scale[0] else None,
    )


# The chart draws its title on one line of a 720-unit wide drawing.
TITLE_MAX = 76


def chart_title(indicator: Indicator) -> str:
    title = f"{indicator.code} {indicator.tr_title}"
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1].rstrip() + "…"


def nice_ceiling(value: float) -> float:
    """The next round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten) at or above
    a positive value, so the axis ends on a labelled tick."""
    if value <= 0:
        return value
    power = 10 ** math.floor(math.log10(value))
    return next(f * power for f in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if value <= f * power * (1 + 1e-9))


def indicator_description(indicator: Indicator, value: float | None, figures: list[GroupFigure]) -> str:
    """The chart in one or two sentences, for screen readers and as the printed caption."""
    parts = [
        _("%(indicator)s. This organisation: %(value)s.")
        % {"indicator": f"{indicator.code} {indicator.tr_title}", "value": format_value(indicator, value)}
    ]
    fmt = value_format(indicator)
    for f in figures:
        if f.summary is None:
            continue
        text = _("%(group)s (%(count)d organisations): median %(median)s, middle half %(q1)s to %(q3)s") % {
            "group": f.group.label,
            "count": f.summary.count,
            "median": fmt.format(f.summary.median),
            "q1": fmt.format(f.summary.q1),
            "q3": fmt.format(f.summary.q3),
        }
        if f.percentile is not None:
            text += _("; percentile %(p)s, %(standing)s") % {"p": f"{f.percentile:.0f}", "standing": f.standing}
        parts.append(text + ".")
    return " ".join(parts)


def profile_chart(sections: list[SectionBenchmark], groups: list[PeerGroup]) -> Chart:
    """The average percentile of the organisation in each of the six groups, per peer group."""
    series = [
        Series(group.label, [_mean_percentile(section, group.key) for section in sections])
        for group in groups
        if group.shown
    ]
    return bar_chart(
        title=_("Average percentile per indicator group"),
        categories=[section.section.code for section in sections],
        series=series or [Series(_("All benchmarked organisations"), [None] * len(sections))],
        value_format="{:.0f}",
        category_name=_("Indicator group"),
        description=_(
            "The organisation's average percentile over the numeric indicators of each group (%(groups)s), "
            "per peer group. 50 is the peers' middle; a high figure means larger values than most peers, "
            "which is not always better."
        )
        % {"groups": "; ".join(f"{s.section.code} {s.section.tr_title}" for s in sections)},
    )


def _mean_percentile(section: SectionBenchmark, key: str) -> float | None:
    found = [f.percentile for row in section.indicators for f in row.figures if f.group.key == key]
    known = [p for p in found if p is not None]
    return statistics.fmean(known) if known else None


# --- The PDF: a service, run by the task ``assessments.render_benchmarking_report`` -------------


def template_fingerprint() -> str:
    """A hash of the PDF template: changing the template outdates every stored PDF."""
    source = Path(get_template(PDF_TEMPLATE).origin.name).read_bytes()
    return hashlib.sha256(source).hexdigest()[:16]


def current_pdf(application: Application, fingerprint: str) -> BenchmarkingReport | None:
    """The stored PDF if it shows exactly these figures, else None."""
    stored = BenchmarkingReport.objects.filter(application=application, fingerprint=fingerprint).first()
    if stored is None or not stored.pdf or not stored.pdf.storage.exists(stored.pdf.name):
        return None
    return stored


@transaction.atomic
def benchmarking_pdf_render(*, application: Application) -> BenchmarkingReport:
    """Render and store the report as a PDF unless the stored one shows the same figures.

    Side effects: a private PDF file; the outdated one is deleted after commit.
    """
    stored, _created = BenchmarkingReport.objects.select_for_update().get_or_create(application=application)
    data = benchmarking_report(application)
    stamp = data.fingerprint
    if stored.fingerprint == stamp and stored.pdf and stored.pdf.storage.exists(stored.pdf.name):
        return stored
    pdf = render_pdf(
        PDF_TEMPLATE,
        {"data": data, "application": application, "min_peers": MIN_PEERS},
        language=translation.get_language(),
    )
    old = stored.pdf.name if stored.pdf else ""
    stored.pdf.save(f"benchmarking-{application.pk}-{stamp[:12]}.pdf", ContentFile(pdf), save=False)
    stored.fingerprint = stamp
    stored.rendered_at = timezone.now()
    stored.save(update_fields=["pdf", "fingerprint", "rendered_at"])
    if old and old != stored.pdf.name:
        storage = stored.pdf.storage
        transaction.on_commit(lambda: storage.delete(old))
    return stored
