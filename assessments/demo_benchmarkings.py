"""Demo seeding: completed Bronze benchmarkings, so the benchmarking report has peers.

Every demo organisation whose record shows a Bronze benchmarking (an imported
Bronze label, found through ``providers.latest_bronze_benchmarking``) gets the
awarded Bronze application behind it, dated on the interview of that label,
with plausible, varied answers. So the demo keeps its story: the Serbian
organisations benchmarked in 2012-2013 and the demo manager's organisation in
2024 are the Serbian peers, and no label is added anywhere.

Demo seeding only: the rows are written directly, not through the workflow's
services, because walking some fifty cases through submission, assignment,
declaration, scoring, quality check and decision would take a minute and mail
every demo account. What is written is what the workflow leaves behind:
answers, the assessor's accepted assignment and agreed scores, the completed
report with recommendations per group, the committee's decision and the
timeline. File evidence is left out (the answers' figures are what is compared).

Idempotent: an organisation that already has an awarded Bronze application is
left alone.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import AssessorProfile, User
from assessments.answers import clean_answer
from assessments.enums import AnswerType, ApplicationState, AssignmentState, DecisionOutcome
from assessments.models import (
    Answer,
    Application,
    AssessmentReport,
    Assignment,
    Decision,
    Indicator,
    Score,
)
from assessments.providers import latest_bronze_benchmarking
from assessments.questionnaires.selectors import published_version
from clusters.models import ClusterOrganisation
from common.enums import Level
from common.services import HistoryEntry, history_record_dated

# Rough cost level of a cluster management's staff, relative to the EU average:
# what makes a Serbian budget smaller than a Danish one for the same team.
COST_LEVEL = {"RS": 0.45, "BG": 0.45, "RO": 0.5, "HU": 0.6, "PL": 0.6, "LT": 0.65, "HR": 0.65, "CZ": 0.7}
COST_LEVEL |= {"PT": 0.75, "SI": 0.8, "ES": 0.9, "IT": 0.95, "FR": 1.1, "AT": 1.15, "DE": 1.2, "SE": 1.25, "DK": 1.3}

RECOMMENDATIONS = {
    "B1": "Recruit research organisations more actively: the triple helix is thin outside the core companies.",
    "B2": "Write down how the board reviews the strategy each year, and publish the review dates.",
    "B3": "Lower the dependence on project funding: price two member services so that they cover their costs.",
    "B4": "Run the member satisfaction survey every year and close services that members do not use.",
    "B5": "Track active members per working group; invite the inactive ones personally.",
    "B6": "Tell the success stories in English on the website and on the ECCP profile.",
}
INDICATOR_RECOMMENDATIONS = {
    "B3.2": "Aim at less than half of the budget from public sources within three years.",
    "B4.2": "Fewer, better prepared events: measure what members take home from each.",
    "B5.5": "Use the ECCP partner search to find two cluster partners abroad in your value chain.",
}


@dataclass(frozen=True)
class Profile:
    """The latent facts one organisation's answers are drawn from, so they hang together."""

    members: int
    staff: float
    cost: float
    public_share: int
    maturity: float  # 0 young and small-scale to 1 long-established and busy


def seed_benchmarkings(
    *,
    organisations: Iterable[ClusterOrganisation],
    assessors: Sequence[User],
    committee: User,
) -> list[str]:
    """Create the completed Bronze benchmarkings; return one line per thing created.

    ``assessors``: the first whose home country is the organisation's assesses it,
    else the last one. Quick (bulk writes, one look-up per organisation).
    """
    version = published_version(Level.BRONZE)
    if version is None or not assessors:
        return []
    organisations = list(organisations)
    done = set(
        Application.objects.filter(
            organisation__in=organisations, level=Level.BRONZE, state=ApplicationState.AWARDED
        ).values_list("organisation_id", flat=True)
    )
    due = [(o, day) for o in organisations if o.pk not in done and (day := latest_bronze_benchmarking(o)) is not None]
    if not due:
        return []
    homes = dict(AssessorProfile.objects.filter(user__in=assessors).values_list("user_id", "home_country"))
    indicators = list(Indicator.objects.filter(version=version).select_related("section").order_by("position"))
    with transaction.atomic():
        for organisation, day in due:
            assessor = next((a for a in assessors if homes.get(a.pk) == organisation.country.code), assessors[-1])
            _benchmarking_create(organisation, day, version, indicators, assessor, committee)
    return [f"{len(due)} completed Bronze benchmarkings with answers (benchmarking report peers)"]


def _benchmarking_create(
    organisation: ClusterOrganisation,
    day: date,
    version: Any,
    indicators: list[Indicator],
    assessor: User,
    committee: User,
) -> None:
    rng = random.Random(f"benchmarking:{organisation.name}")
    interview = timezone.make_aware(datetime.combine(day, time(10)))
    submitted = interview - timedelta(days=rng.randint(20, 60))
    application = Application.objects.create(
        organisation=organisation,
        level=Level.BRONZE,
        version=version,
        state=ApplicationState.AWARDED,
        created_at=submitted - timedelta(days=rng.randint(10, 40)),
        submitted_at=submitted,
        assessed_on=day,
    )
    answers = demo_answers(rng, organisation.country.code, indicators)
    Answer.objects.bulk_create(
        Answer(application=application, indicator=i, value=answers[i.code], revision=1, updated_at=submitted)
        for i in indicators
        if i.code in answers
    )
    assignment = Assignment.objects.create(
        application=application,
        assessor=assessor,
        assigned_at=submitted + timedelta(days=2),
        state=AssignmentState.ACCEPTED,
        declared_at=submitted + timedelta(days=3),
    )
    Score.objects.bulk_create(
        Score(
            application=application,
            indicator=i,
            met=True,
            comment="Confirmed at the interview." if i.answer_type != AnswerType.FILE else "Document seen.",
            recommendation=INDICATOR_RECOMMENDATIONS.get(i.code, ""),
            updated_at=interview,
            updated_by=assessor,
        )
        for i in indicators
    )
    completed = interview + timedelta(days=2)
    AssessmentReport.objects.create(
        application=application,
        summary=f"{organisation.name} runs a committed cluster management with a clear focus on its members.",
        strengths="Close contacts with the member companies; a loyal core of active members.",
        recommendations=RECOMMENDATIONS,
        passed=True,
        result_notes=["Benchmarking completed."],
        completed_by=assessor,
        completed_at=completed,
    )
    decided = completed + timedelta(days=rng.randint(10, 30))
    Decision.objects.create(
        application=application, outcome=DecisionOutcome.AWARDED, decided_by=committee, decided_at=decided
    )
    _timeline(application, assignment, committee, decided)


def _timeline(application: Application, assignment: Assignment, committee: User, decided: datetime) -> None:
    s, expert = ApplicationState, assignment.assessor
    submitted, declared = application.submitted_at, assignment.declared_at
    assert submitted is not None and declared is not None  # both set by the caller
    steps = [
        (s.DRAFT, s.SUBMITTED, None, submitted),
        (s.SUBMITTED, s.ASSESSOR_ASSIGNMENT, None, assignment.assigned_at),
        (s.ASSESSOR_ASSIGNMENT, s.IN_ASSESSMENT, expert, declared),
        (s.IN_ASSESSMENT, s.ASSESSED, expert, decided - timedelta(days=9)),
        (s.ASSESSED, s.IN_QUALITY_CHECK, None, decided - timedelta(days=7)),
        (s.IN_QUALITY_CHECK, s.AWAITING_DECISION, None, decided - timedelta(days=5)),
        (s.AWAITING_DECISION, s.AWARDED, committee, decided),
    ]
    history_record_dated(
        HistoryEntry(
            obj=application, action="application.state", by=by, at=at, data={"state": [a, b]}, reason="demo data"
        )
        for a, b, by, at in steps
    )


# --- Plausible answers ----------------------------------------------------------------------------


def _profile(rng: random.Random, country: str) -> Profile:
    members = int(min(400, max(16, rng.lognormvariate(4.0, 0.6))))
    staff = round(min(12.0, max(0.5, members / rng.uniform(18, 40) + rng.uniform(-0.5, 1.0))) * 2) / 2
    return Profile(
        members=members,
        staff=staff,
        cost=COST_LEVEL.get(country, 0.9),
        public_share=rng.randint(15, 75),
        maturity=rng.random(),
    )


def demo_answers(rng: random.Random, country: str, indicators: list[Indicator]) -> dict[str, Any]:
    """Answers for every indicator the demo can answer, stored exactly as typed answers are."""
    p = _profile(rng, country)
    raw = _numbers(rng, p) | _others(rng, p)
    values = {}
    for indicator in indicators:
        if indicator.code in raw and indicator.answer_type != AnswerType.FILE:
            given = raw[indicator.code]
            values[indicator.code] = clean_answer(indicator, given if isinstance(given, list) else [str(given)])
    return values


def _numbers(rng: random.Random, p: Profile) -> dict[str, Any]:
    companies = round(p.members * rng.uniform(0.62, 0.85))
    fees = rng.randint(8, min(40, 100 - p.public_share))
    budget = p.staff * rng.uniform(55_000, 85_000) * p.cost * rng.uniform(1.1, 1.6)
    return {
        "B1.1": p.members,
        "B1.2": companies,
        "B1.3": max(1, round(p.members * rng.uniform(0.04, 0.16))),
        "B1.4": round(rng.uniform(72, 97), 1),
        "B2.1": p.staff,
        "B3.1": round(budget, -3),
        "B3.2": p.public_share,
        "B3.3": fees,
        "B3.4": 100 - p.public_share - fees,
        "B3.5": round(rng.uniform(0.5, 1.5) + 2.5 * p.maturity, 1),
        "B4.2": max(2, round(p.staff * rng.uniform(3, 9))),
        "B4.3": max(0, round(p.members * rng.uniform(0.02, 0.12) * (0.5 + p.maturity))),
        "B5.1": round(p.members * rng.uniform(2, 9)),
        "B5.2": rng.randint(20, 85),
        "B5.5": max(0, round(rng.gauss(4 + 12 * p.maturity, 3))),
        "B6.1": max(1, round(rng.lognormvariate(2.8, 0.7))),
        "B6.2": max(0, round(p.members * rng.uniform(0.02, 0.15))),
    }


def _others(rng: random.Random, p: Profile) -> dict[str, Any]:
    founded = date(rng.randint(1999, 2019), rng.randint(1, 12), rng.randint(1, 28))
    return {
        "B1.5": founded.isoformat(),
        "B1.6": rng.choice(["regional", "regional", "national", "national", "cross_border", "international"]),
        "B2.2": rng.choice(["elected_board", "elected_board", "steering_committee", "advisory_board"]),
        "B2.3": "yes" if p.maturity > 0.2 else "no",
        "B2.4": date(rng.randint(2019, 2024), rng.randint(1, 12), 15).isoformat(),
        "B2.6": "Members elect the board at the general assembly and join the working groups.",
        "B4.1": rng.sample(
            ["information", "matchmaking", "training", "internationalisation", "innovation", "finance", "advocacy"],
            rng.randint(3, 6),
        ),
        "B4.4": rng.choice(["smes", "smes", "all", "research"]),
        "B4.5": "yes" if p.maturity > 0.4 else "no",
        "B4.6": "Joint trade fair stands for small members.",
        "B5.3": rng.sample(["newsletter", "website", "social_media", "platform", "meetings"], rng.randint(2, 5)),
        "B5.4": rng.choice(["monthly", "monthly", "quarterly", "weekly"]),
        "B5.6": "Working groups per value chain meet every quarter.",
        "B6.3": "yes",
        "B6.4": "Regional innovation award.",
        "B6.5": "Three members developed a shared packaging line.",
    }
