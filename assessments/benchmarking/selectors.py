"""The benchmarking's reads: completed benchmarkings, the peers' answers and levels, the report's own rows.

Peer values are read with a fixed number of set-based queries, whatever the number of peers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery

from assessments.benchmarking.statistics import as_number
from assessments.enums import NUMERIC_TYPES, ApplicationState
from assessments.models import Answer, Application, AssessmentReport, Indicator, Score, Section
from assessments.providers import levels_held_elsewhere
from assessments.rules import BENCHMARKING_COMPLETED_STATES
from clusters.models import ClusterOrganisation
from common.enums import Level
from common.models import Sector

LEVEL_RANK = {level: rank for rank, level in enumerate(Level.values)}


# --- The peers ------------------------------------------------------------------------------------


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
class PeerBasis:
    """What the country and sector groups are formed from: the organisation's country and sectors
    when the benchmarking was submitted (``Application.peer_basis``), so that editing the profile
    afterwards cannot move a peer into or out of a group."""

    country: str
    sector_ids: frozenset[int]


def peer_basis(application: Application) -> PeerBasis:
    """The frozen basis; an application submitted before it was recorded uses the current profile."""
    frozen = application.peer_basis
    if frozen is not None:
        return PeerBasis(str(frozen["country"]), frozenset(int(pk) for pk in frozen["sectors"]))
    organisation = application.organisation
    return PeerBasis(organisation.country.code, frozenset(organisation.sectors.values_list("pk", flat=True)))


@dataclass(frozen=True)
class PeerData:
    """What the peer groups are made of. Values leave the package only as group statistics."""

    values: dict[int, dict[str, float]]  # organisation id -> indicator code -> answer
    countries: dict[int, str]
    sharing_sector: frozenset[int]
    levels: dict[int, str]


def peer_data(application: Application, codes: Sequence[str], basis: PeerBasis) -> PeerData:
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
        pk__in=peers.values("organisation_id"), sectors__in=basis.sector_ids
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


# --- The organisation's own rows ------------------------------------------------------------------


def numeric_sections(application: Application) -> list[Section]:
    """The sections of the application's questionnaire, each with its numeric indicators prefetched."""
    return list(
        Section.objects.filter(version=application.version)
        .order_by("position", "code")
        .prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.filter(answer_type__in=NUMERIC_TYPES).order_by("position", "code"),
            )
        )
    )


def own_answers(application: Application, codes: Sequence[str]) -> dict[str, float | None]:
    """The organisation's answers by indicator code; None for an empty or non-numeric answer."""
    rows = Answer.objects.filter(application=application, indicator__code__in=codes).values_list(
        "indicator__code", "value"
    )
    return {code: as_number(raw) for code, raw in rows}


def agreed_scores(application: Application) -> dict[int, Score]:
    """The agreed scores by indicator id: the rows without an assessor's assignment."""
    return {s.indicator_id: s for s in Score.objects.filter(application=application, assignment__isnull=True)}


def assessment_report(application: Application) -> AssessmentReport | None:
    return AssessmentReport.objects.filter(application=application).first()


def sector_names(basis: PeerBasis) -> list[str]:
    return list(Sector.objects.filter(pk__in=basis.sector_ids).order_by("name").values_list("name", flat=True))
