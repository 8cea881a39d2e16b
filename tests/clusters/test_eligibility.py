"""Eligibility is computed: the checklist and the database filter agree."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusters.eligibility import MET, NOT_MET, WAIVED, eligibility_of, with_eligibility
from clusters.enums import EligibilityCriterion
from clusters.models import ClusterOrganisation, EligibilityWaiver
from tests.factories import OrganisationFactory, UserFactory

ELIGIBLE = {
    "management_fte": Decimal("0.5"),
    "members_sme": 10,
    "members_research": 5,
    "website": "https://cluster.example",
    "website_in_english": True,
    "eccp_url": "https://reporting.clustercollaboration.eu/cluster/1",
}


def statuses(organisation: ClusterOrganisation) -> dict[str, str]:
    return {r.criterion.value: r.status for r in eligibility_of(organisation).results}


def test_organisation_meeting_every_criterion_is_eligible(db: None) -> None:
    organisation = OrganisationFactory(**ELIGIBLE)

    assert statuses(organisation) == dict.fromkeys(EligibilityCriterion.values, MET)
    assert eligibility_of(organisation).is_eligible is True


@pytest.mark.parametrize(
    ("change", "criterion"),
    [
        ({"management_fte": Decimal("0.49")}, "management"),
        ({"members_sme": 9}, "members"),
        ({"members_research": 0, "members_sme": 15}, "triple_helix"),
        ({"website_in_english": False}, "website"),
        ({"website": ""}, "website"),
        ({"eccp_url": ""}, "eccp"),
    ],
)
def test_each_criterion_fails_just_below_its_threshold(db: None, change: dict[str, object], criterion: str) -> None:
    organisation = OrganisationFactory(**{**ELIGIBLE, **change})

    assert [c for c, s in statuses(organisation).items() if s == NOT_MET] == [criterion]
    assert eligibility_of(organisation).is_eligible is False


def test_link_to_public_bodies_satisfies_triple_helix(db: None) -> None:
    organisation = OrganisationFactory(
        **{**ELIGIBLE, "members_research": 0, "members_sme": 15, "public_body_link": "Founded by the regional agency"}
    )

    assert statuses(organisation)["triple_helix"] == MET


def test_waiver_turns_a_missed_criterion_into_waived(db: None) -> None:
    organisation = OrganisationFactory(**{**ELIGIBLE, "eccp_url": ""})
    EligibilityWaiver.objects.create(
        organisation=organisation, criterion="eccp", reason="National programme", waived_by=UserFactory()
    )

    assert statuses(organisation)["eccp"] == WAIVED
    assert eligibility_of(organisation).is_eligible is True
    assert with_eligibility(ClusterOrganisation.objects.filter(pk=organisation.pk)).get().is_eligible is True


def test_figures_behind_the_criteria_are_shown(db: None) -> None:
    organisation = OrganisationFactory(**ELIGIBLE)

    figures = {r.criterion.value: r.figure for r in eligibility_of(organisation).results}

    assert figures["management"] == "0.5 FTE"
    assert figures["members"] == "15 members"
    assert figures["triple_helix"] == "industry, research and universities"


profiles = st.fixed_dictionaries(
    {
        "management_fte": st.decimals(min_value=0, max_value=3, places=2),
        "members_sme": st.integers(0, 20),
        "members_large": st.integers(0, 3),
        "members_research": st.integers(0, 3),
        "members_public": st.integers(0, 3),
        "members_other": st.integers(0, 3),
        "public_body_link": st.sampled_from(["", "  ", "regional agency"]),
        "website": st.sampled_from(["", "https://c.example"]),
        "website_in_english": st.booleans(),
        "eccp_url": st.sampled_from(["", "https://clustercollaboration.eu/x"]),
    }
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(profile=profiles, waived=st.sets(st.sampled_from(EligibilityCriterion.values), max_size=2))
def test_database_filter_agrees_with_checklist(db: None, profile: dict[str, object], waived: set[str]) -> None:
    organisation = OrganisationFactory(**profile)
    waiver_author = UserFactory()
    for criterion in waived:
        EligibilityWaiver.objects.create(
            organisation=organisation, criterion=criterion, reason="r", waived_by=waiver_author
        )

    in_database = with_eligibility(ClusterOrganisation.objects.filter(pk=organisation.pk)).get().is_eligible

    assert in_database == eligibility_of(organisation).is_eligible


def test_only_active_eligible_organisations_can_apply(db: None) -> None:
    from clusters.enums import OrganisationState
    from clusters.selectors import application_blockers, organisation_can_apply

    eligible = OrganisationFactory(**ELIGIBLE)
    pending = OrganisationFactory(**ELIGIBLE, state=OrganisationState.PENDING)
    lacking = OrganisationFactory(**{**ELIGIBLE, "eccp_url": ""})

    assert organisation_can_apply(eligible) is True
    assert application_blockers(pending) == ["The organisation's profile must be validated first."]
    assert application_blockers(lacking) == ["Eligibility: Listed on the ECCP is not met (no ECCP profile)."]
