"""Results stay with the board until it decides, and who assesses whom stays
with the office and the case's assessors: each role, before and after the decision."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.enums import StaffRole
from accounts.models import User
from assessments.enums import ApplicationState, AssignmentState, DecisionOutcome
from assessments.models import Application, AssessmentReport, Assignment, Decision
from clusters.enums import MembershipRole
from common.enums import Level
from common.services import history_record
from tests.assessments.conftest import make_version
from tests.factories import AssessorProfileFactory, MembershipFactory, OrganisationFactory, RoleGrantFactory

SUMMARY = "A well-run cluster with room to grow."


@pytest.fixture
def case(db: None) -> dict[str, object]:
    """A Gold case the office has sent to the committee: one expert assessed, one declined."""
    organisation = OrganisationFactory()
    application = Application.objects.create(
        organisation=organisation,
        level=Level.GOLD,
        version=make_version(Level.GOLD),
        state=ApplicationState.AWAITING_DECISION,
    )
    assessor = AssessorProfileFactory(user__full_name="Astrid Assessor").user
    decliner = AssessorProfileFactory(user__full_name="Dennis Decliner").user
    Assignment.objects.create(application=application, assessor=assessor, state=AssignmentState.ACCEPTED)
    Assignment.objects.create(
        application=application, assessor=decliner, state=AssignmentState.DECLINED, decline_reason="conflict"
    )
    history_record(
        obj=application, action="application.state", by=assessor, data={"state": ["in_assessment", "assessed"]}
    )
    AssessmentReport.objects.create(
        application=application,
        summary=SUMMARY,
        score_percent=Decimal("87.5"),
        passed=True,
        completed_by=assessor,
        completed_at=timezone.now(),
    )
    return {
        "application": application,
        "manager": MembershipFactory(organisation=organisation).user,
        "contributor": MembershipFactory(organisation=organisation, role=MembershipRole.CONTRIBUTOR).user,
        "office": RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user,
        "committee": RoleGrantFactory(role=StaffRole.LABEL_COMMITTEE).user,
        "assessor": assessor,
        "decliner": decliner,
    }


def detail(client: Client, user: object, application: Application) -> str:
    assert isinstance(user, User)
    client.force_login(user)
    response = client.get(reverse("assessments:application_detail", args=[application.pk]))
    assert response.status_code == 200
    return response.content.decode()


def decide(application: Application, by: object) -> None:
    assert isinstance(by, User)
    Decision.objects.create(application=application, outcome=DecisionOutcome.AWARDED, decided_by=by)
    # Arranged directly (the decision's own service is tested elsewhere): no door, no guard.
    Application.objects.filter(pk=application.pk).update(state=ApplicationState.AWARDED)
    application.refresh_from_db()


def shows_result(page: str) -> bool:
    return "Passes the level" in page or SUMMARY in page or "87.5" in page or 'data-testid="report-pdf"' in page


def names_assessors(page: str) -> bool:
    return "Astrid Assessor" in page or "Dennis Decliner" in page


@pytest.mark.parametrize("role", ["manager", "contributor"])
def test_applicant_sees_being_decided_until_the_decision(client: Client, case: dict[str, object], role: str) -> None:
    application = case["application"]
    assert isinstance(application, Application)

    before = detail(client, case[role], application)
    decide(application, case["committee"])
    after = detail(client, case[role], application)

    assert (shows_result(before), "Being decided" in before) == (False, True)
    assert (shows_result(after), "Being decided" in after) == (True, False)
    assert (names_assessors(before), names_assessors(after)) == (False, False)


@pytest.mark.parametrize("role", ["manager", "contributor"])
def test_applicant_cannot_download_the_report_before_the_decision(
    client: Client, case: dict[str, object], role: str
) -> None:
    application, user = case["application"], case[role]
    assert isinstance(application, Application) and isinstance(user, User)
    client.force_login(user)

    response = client.get(reverse("assessments:report_download", args=[application.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("role", ["office", "assessor"])
def test_office_and_the_cases_assessor_see_result_and_assessors(
    client: Client, case: dict[str, object], role: str
) -> None:
    application = case["application"]
    assert isinstance(application, Application)

    page = detail(client, case[role], application)

    assert (shows_result(page), "Astrid Assessor" in page, "Dennis Decliner" in page) == (True, True, True)


def test_committee_sees_the_report_but_not_who_wrote_it(client: Client, case: dict[str, object]) -> None:
    application = case["application"]
    assert isinstance(application, Application)

    page = detail(client, case["committee"], application)

    assert (shows_result(page), names_assessors(page)) == (True, False)


def test_the_expert_who_declined_sees_nothing(client: Client, case: dict[str, object]) -> None:
    application = case["application"]
    assert isinstance(application, Application) and isinstance(case["decliner"], User)
    client.force_login(case["decliner"])

    response = client.get(reverse("assessments:application_detail", args=[application.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("role", "before", "after"),
    [
        ("manager", False, True),
        ("contributor", False, True),
        ("office", True, True),
        ("assessor", True, True),
        ("committee", True, True),
        ("decliner", False, False),
    ],
)
def test_view_result_rule_by_role(case: dict[str, object], role: str, before: bool, after: bool) -> None:
    application = case["application"]
    user = case[role]
    assert isinstance(application, Application) and isinstance(user, User)
    seen_before = user.has_perm("assessments.view_result", application)
    decide(application, case["committee"])

    assert (seen_before, user.has_perm("assessments.view_result", application)) == (before, after)
