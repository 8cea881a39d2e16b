"""The lists people see and the rules of each object agree.

A page lists what a scoping read returns (``applications_visible_to``,
``organisations_visible_to``, ``organisations_listed_for``, ``pipeline_for``); a page of one
object asks its predicate (``assessments.view_application``,
``clusters.view_organisation``). Two sources for one rule drift apart unless
held together: for every person of the access matrix's world and every
object in it, the scope holds the object exactly when the predicate lets the
person see it.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from assessments.models import Application
from assessments.pipeline import pipeline_for
from assessments.selectors import applications_visible_to
from clusters.models import ClusterOrganisation
from clusters.rules import is_partner_staff
from clusters.selectors import organisations_listed_for, organisations_visible_to
from tests.access_matrix_table import ROLES, scenario_fixture  # noqa: F401 (a fixture)

PEOPLE = [role for role in ROLES if role != "anonymous"]


def anonymous_or(scenario: SimpleNamespace, role: str) -> Any:
    return AnonymousUser() if role == "anonymous" else scenario.users[role]


@pytest.mark.parametrize("role", ROLES)
def test_applications_listed_are_the_applications_the_rule_shows(
    scenario: SimpleNamespace, db: None, role: str
) -> None:
    person = anonymous_or(scenario, role)
    listed = set(applications_visible_to(person).values_list("pk", flat=True))
    allowed = {a.pk for a in Application.objects.all() if person.has_perm("assessments.view_application", a)}

    assert listed == allowed


@pytest.mark.parametrize("role", ROLES)
def test_organisations_listed_are_the_organisations_the_rule_shows(
    scenario: SimpleNamespace, db: None, role: str
) -> None:
    person = anonymous_or(scenario, role)
    listed = set(organisations_visible_to(person).values_list("pk", flat=True))
    allowed = {o.pk for o in ClusterOrganisation.objects.all() if person.has_perm("clusters.view_organisation", o)}

    assert listed == allowed


@pytest.mark.parametrize("role", PEOPLE)
def test_the_partner_and_office_lists_hold_what_they_may_validate(
    scenario: SimpleNamespace, db: None, role: str
) -> None:
    """The organisation lists of partners and the office: every organisation the
    person validates, nothing else (members' own organisations are on their start page)."""
    person = scenario.users[role]
    listed = set(organisations_listed_for(person).values_list("pk", flat=True))
    validates = {
        o.pk for o in ClusterOrganisation.objects.all() if person.has_perm("clusters.validate_organisation", o)
    }

    assert listed == validates
    assert bool(listed) == bool(is_partner_staff(person) or person.has_perm("labels.view_office_start"))


@pytest.mark.parametrize("role", ROLES)
def test_the_pipeline_lists_the_applications_the_partner_may_follow(
    scenario: SimpleNamespace, db: None, role: str
) -> None:
    """A partner's pipeline: its countries' applications in progress, by the rule
    ``assessments.follow_application``; nobody else's (drafts and closed cases stay out)."""
    person = anonymous_or(scenario, role)
    listed = set(pipeline_for(person).values_list("pk", flat=True))
    follows = {a.pk for a in Application.objects.all() if person.has_perm("assessments.follow_application", a)}

    assert listed == follows
    assert bool(listed) == (role in ("partner", "other_partner"))
