"""Eligibility, computed from the profile and never typed in.

Each criterion is written twice on purpose, side by side: as a Python check on
one organisation (the checklist shows the figure behind it) and as a database
expression (lists filter thousands of organisations by eligibility without
loading them). tests/clusters/test_eligibility.py proves the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias, TypedDict

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from clusters.enums import EligibilityCriterion
from clusters.models import ClusterOrganisation, EligibilityWaiver
from common.scheme import eligibility_rules

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class EligibilityAnnotation(TypedDict):
    is_eligible: bool


EligibleOrganisation: TypeAlias = "WithAnnotations[ClusterOrganisation, EligibilityAnnotation]"

MET = "met"
NOT_MET = "not_met"
WAIVED = "waived"


@dataclass(frozen=True)
class CriterionResult:
    criterion: EligibilityCriterion
    status: str  # MET, NOT_MET or WAIVED
    figure: str
    requirement: str
    waiver: EligibilityWaiver | None = None

    @property
    def passes(self) -> bool:
        return self.status in (MET, WAIVED)


@dataclass(frozen=True)
class Eligibility:
    results: list[CriterionResult]

    @property
    def is_eligible(self) -> bool:
        return all(result.passes for result in self.results)

    @property
    def missing(self) -> list[CriterionResult]:
        return [result for result in self.results if not result.passes]


def member_types(organisation: ClusterOrganisation) -> list[str]:
    """The kinds of members present; SMEs and large companies are one kind, industry."""
    kinds = {
        _("industry"): organisation.members_sme + organisation.members_large,
        _("research and universities"): organisation.members_research,
        _("public bodies"): organisation.members_public,
        _("other (civil society ...)"): organisation.members_other,
    }
    return [kind for kind, count in kinds.items() if count > 0]


def _checks(organisation: ClusterOrganisation) -> dict[EligibilityCriterion, tuple[bool, str, str]]:
    rules = eligibility_rules()
    kinds = member_types(organisation)
    return {
        EligibilityCriterion.MANAGEMENT: (
            organisation.management_fte >= rules.min_management_fte,
            _("%(fte)s FTE") % {"fte": organisation.management_fte.normalize() if organisation.management_fte else 0},
            _("at least %(fte)s full-time equivalents") % {"fte": rules.min_management_fte},
        ),
        EligibilityCriterion.MEMBERS: (
            organisation.members_total >= rules.min_members,
            _("%(n)d members") % {"n": organisation.members_total},
            _("at least %(n)d committed members") % {"n": rules.min_members},
        ),
        EligibilityCriterion.TRIPLE_HELIX: (
            len(kinds) >= rules.min_member_types or bool(organisation.public_body_link.strip()),
            (", ".join(kinds) or _("no members recorded"))
            + (
                f" · {_('link to public bodies')}: {organisation.public_body_link}"
                if organisation.public_body_link.strip()
                else ""
            ),
            _("members of at least %(n)d types, or a visible link to public bodies") % {"n": rules.min_member_types},
        ),
        EligibilityCriterion.WEBSITE: (
            bool(organisation.website) and organisation.website_in_english,
            organisation.website
            + (f" ({_('in English')})" if organisation.website_in_english else f" ({_('not in English')})")
            if organisation.website
            else _("no website"),
            _("a website in English showing real activity"),
        ),
        EligibilityCriterion.ECCP: (
            bool(organisation.eccp_url),
            organisation.eccp_url or _("no ECCP profile"),
            _("a profile on the European Cluster Collaboration Platform"),
        ),
    }


def eligibility_of(organisation: ClusterOrganisation) -> Eligibility:
    """The checklist: each criterion met, not met or waived, with its figure."""
    waivers = {
        waiver.criterion: waiver
        for waiver in organisation.waivers.filter(withdrawn_at__isnull=True).select_related("waived_by")
    }
    results = []
    for criterion, (met, figure, requirement) in _checks(organisation).items():
        waiver = waivers.get(criterion)
        status = MET if met else (WAIVED if waiver else NOT_MET)
        results.append(CriterionResult(criterion, status, figure, requirement, waiver if not met else None))
    return Eligibility(results)


def _members_total() -> CombinedExpression:
    return F("members_sme") + F("members_large") + F("members_research") + F("members_public") + F("members_other")


def _present(expression: object) -> Case:
    return Case(When(Q(**{f"{expression}__gt": 0}), then=Value(1)), default=Value(0), output_field=IntegerField())


def criterion_expressions() -> dict[EligibilityCriterion, Q]:
    """The same checks as database conditions (on an organisation queryset annotated by ``with_eligibility``)."""
    rules = eligibility_rules()
    return {
        EligibilityCriterion.MANAGEMENT: Q(management_fte__gte=rules.min_management_fte),
        EligibilityCriterion.MEMBERS: Q(_members_total__gte=rules.min_members),
        EligibilityCriterion.TRIPLE_HELIX: Q(_member_types__gte=rules.min_member_types)
        | ~Q(public_body_link__regex=r"^\s*$"),
        EligibilityCriterion.WEBSITE: ~Q(website="") & Q(website_in_english=True),
        EligibilityCriterion.ECCP: ~Q(eccp_url=""),
    }


def with_eligibility(queryset: QuerySet[ClusterOrganisation]) -> QuerySet[EligibleOrganisation]:
    """Annotate ``is_eligible`` (every criterion met or waived) in the database."""
    queryset = queryset.annotate(
        _members_total=ExpressionWrapper(_members_total(), output_field=IntegerField()),
        _industry=ExpressionWrapper(F("members_sme") + F("members_large"), output_field=IntegerField()),
    ).annotate(
        _member_types=Coalesce(
            _present("_industry")
            + _present("members_research")
            + _present("members_public")
            + _present("members_other"),
            Value(0),
        )
    )
    passes = Q()
    for criterion, condition in criterion_expressions().items():
        waived = Exists(
            EligibilityWaiver.objects.filter(
                organisation=OuterRef("pk"), criterion=criterion, withdrawn_at__isnull=True
            )
        )
        passes &= condition | Q(waived)
    return queryset.annotate(
        is_eligible=ExpressionWrapper(
            Case(When(passes, then=Value(True)), default=Value(False)), output_field=BooleanField()
        )
    )
