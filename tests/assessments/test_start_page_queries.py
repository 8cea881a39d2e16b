"""Every role's start page, led by its work queue, runs the same queries for 3 open cases as for 9.

The cases are spread over the workflow (awaiting a declaration, in assessment with a
question open, awaiting the committee's decision), each of another organisation the
same manager runs, so every queue has rows that grow with the size.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from accounts.models import User
from assessments.models import Application, QuestionnaireVersion
from assessments.services import assessing
from clusters.models import Membership
from labels.figures import figures_refresh
from tests.assessments.conftest import ELIGIBLE
from tests.assessments.test_workflow import _to_decision, submitted
from tests.factories import MembershipFactory, OrganisationFactory, PartnerStaffFactory

SIZES = [3, 9]  # every third case of each kind, so each kind is there at both sizes


def _open_cases(manager: Membership, staff: dict[str, User], n: int) -> None:
    """``n`` open cases of ``n`` Serbian organisations that ``manager`` runs."""
    for i in range(n):
        organisation = OrganisationFactory(country="RS", **ELIGIBLE)
        membership = MembershipFactory(organisation=organisation, user=manager.user)
        if i % 3 == 0:
            _to_decision(membership, staff)
            continue
        application: Application = submitted(membership)
        assessing.assignment_create(application=application, assessors=[staff["expert_rs"]], by=staff["office"])
        if i % 3 == 2:
            assessing.assignment_declare(
                assignment=application.assignments.get(), by=staff["expert_rs"], no_conflict=True
            )
            assessing.clarification_ask(
                application=application,
                by=staff["expert_rs"],
                question="Which events?",
                due_on=date.today() + timedelta(days=5),
            )


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    ("who", "url", "budget"),
    [
        # Counts include the session, the user and the request's savepoint pair; the work queue reads
        # only the kinds of step the person can have (an expert's, a manager's: one or two fewer).
        # The person's roles and unread count are one query (common.person_reads), not five; the
        # history's version is one more (the page drawn is kept under it: common.kept).
        ("manager", "clusters:manager_start", 15),
        ("expert_rs", "accounts:assessor_start", 11),
        # The expiry panel: one stored row (labels.figures), not two counts over the labels.
        # The late steps of its countries without the office and committee to remind.
        ("partner", "clusters:partner_start", 19),
        ("office", "labels:office_start", 16),
        ("committee", "labels:committee_start", 12),
    ],
)
def test_start_page_queries_do_not_grow_with_open_cases(
    client: Client,
    bronze: QuestionnaireVersion,
    manager: Membership,
    staff: dict[str, User],
    django_assert_num_queries: DjangoAssertNumQueries,
    size: int,
    who: str,
    url: str,
    budget: int,
) -> None:
    _open_cases(manager, staff, size)
    people = {**staff, "manager": manager.user, "partner": PartnerStaffFactory(partner__countries=["RS"]).user}
    figures_refresh()  # as the worker keeps them, before anyone reads
    client.force_login(people[who])

    with django_assert_num_queries(budget):
        response = client.get(reverse(url))

    assert response.status_code == 200
    if who in ("manager", "expert_rs", "committee"):
        assert len(response.context["queue"]) >= size // 3
