"""The workflow's remaining pages: refused to outsiders, constant queries on the office's and committee's lists."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from accounts.enums import StaffRole
from accounts.models import User
from assessments.enums import ApplicationState, AssignmentState, VersionStatus
from assessments.models import Application, Clarification, QuestionnaireVersion
from assessments.questionnaires.services import version_publish
from assessments.services import assessing
from clusters.models import Membership
from common.enums import Level
from tests.assessments.conftest import make_version
from tests.assessments.test_workflow import _to_decision, submitted
from tests.factories import MembershipFactory, OrganisationFactory, RoleGrantFactory, UserFactory


def in_assessment(manager: Membership, staff: dict[str, User]) -> Application:
    application = submitted(manager)
    assessing.assignment_create(application=application, assessors=[staff["expert_rs"]], by=staff["office"])
    assessing.assignment_declare(assignment=application.assignments.get(), by=staff["expert_rs"], no_conflict=True)
    return application


@pytest.mark.parametrize("visitor", ["outsider", "other_manager"])
def test_workflow_endpoints_are_refused_to_outsiders(
    client: Client, bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User], visitor: str
) -> None:
    application = in_assessment(manager, staff)
    clarification = assessing.clarification_ask(
        application=application, by=staff["expert_rs"], question="Q?", due_on=date.today() + timedelta(days=5)
    )
    pk = application.pk
    client.force_login(
        UserFactory() if visitor == "outsider" else MembershipFactory(organisation=OrganisationFactory()).user
    )

    answers = [
        client.post(reverse("assessments:case_complete", args=[pk]), {"assessed_on": "2026-01-01", "summary": "x"}),
        client.post(reverse("assessments:clarification_ask", args=[pk]), {"question": "x", "due_on": "2030-01-01"}),
        client.post(reverse("assessments:own_scores_submit", args=[pk])),
        client.post(reverse("assessments:case_quality", args=[pk, "in_quality_check"])),
        client.post(reverse("assessments:clarification_answer", args=[pk, clarification.pk]), {"answer": "x"}),
        client.get(reverse("assessments:report_download", args=[pk])),
    ]

    assert [response.status_code for response in answers] == [404] * 6
    assert Application.objects.get(pk=pk).state == ApplicationState.CLARIFICATION_REQUESTED
    assert Clarification.objects.get().answered_at is None


@pytest.mark.parametrize("url", ["assessments:office_cases", "labels:committee_start"])
@pytest.mark.parametrize("who", ["outsider", "manager"])
def test_staff_lists_are_refused_to_others(client: Client, manager: Membership, url: str, who: str) -> None:
    client.force_login(UserFactory() if who == "outsider" else manager.user)

    assert client.get(reverse(url)).status_code == 403


def test_notifications_need_login(client: Client, db: None) -> None:
    response = client.get(reverse("notifications"))

    assert response["Location"].startswith(reverse("accounts:login"))


def test_certificate_job_page_is_refused_to_others(client: Client, db: None) -> None:
    from labels.models import CertificateJob

    job = CertificateJob.objects.create()
    client.force_login(UserFactory())

    assert client.get(reverse("labels:certificate_job", args=[job.pk])).status_code == 403


def _cases(manager: Membership, staff: dict[str, User], n: int) -> None:
    for _ in range(n):
        other = MembershipFactory(
            organisation=OrganisationFactory(
                **{
                    k: getattr(manager.organisation, k)
                    for k in (
                        "management_fte",
                        "members_sme",
                        "members_research",
                        "website",
                        "website_in_english",
                        "eccp_url",
                    )
                }
            )
        )
        _to_decision(other, staff)


@pytest.mark.parametrize("size", [1, 4])
def test_committee_page_queries_do_not_grow(
    client: Client,
    bronze: QuestionnaireVersion,
    manager: Membership,
    staff: dict[str, User],
    django_assert_num_queries: DjangoAssertNumQueries,
    size: int,
) -> None:
    _cases(manager, staff, size)
    client.force_login(staff["committee"])

    # The coming meetings are one query more than the queue alone.
    # 21: with the work queue leading the page (the decisions waiting, from every open case's steps).
    # 17 (was 21): the roles are read once per request and the queue reads the cases awaiting a decision only.
    # 15: the queue reads no expert's or manager's steps for a committee member who is neither.
    # 11: the person's roles and unread count in one query (common.person_reads).
    # 12: and the history's version, under which the page drawn is kept (common.kept).
    with django_assert_num_queries(12):
        response = client.get(reverse("labels:committee_start"))

    assert len(response.context["rows"]) == size


@pytest.mark.parametrize("size", [1, 4])
def test_office_cases_queries_do_not_grow(
    client: Client,
    bronze: QuestionnaireVersion,
    manager: Membership,
    staff: dict[str, User],
    django_assert_num_queries: DjangoAssertNumQueries,
    size: int,
) -> None:
    _cases(manager, staff, size)
    client.force_login(RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user)

    with django_assert_num_queries(10):
        response = client.get(reverse("assessments:office_cases"))

    assert len(response.context["awaiting_decision"]) == size


@pytest.mark.parametrize("no_conflict", [True, False])
@pytest.mark.parametrize("who", ["expert_de", "office", "manager"])
def test_only_the_named_expert_answers_an_assignment(
    manager: Membership, staff: dict[str, User], who: str, no_conflict: bool
) -> None:
    """A Gold case with two experts: one answer moves no case, so the assignment's
    own rule is all that stands between it and anyone else."""
    make_version(Level.GOLD)
    application = submitted(manager, "gold")
    assessing.assignment_create(
        application=application, assessors=[staff["expert_rs"], staff["expert_de"]], by=staff["office"]
    )
    assignment = application.assignments.get(assessor=staff["expert_rs"])
    person = manager.user if who == "manager" else staff[who]

    with pytest.raises(PermissionDenied):
        assessing.assignment_declare(assignment=assignment, by=person, no_conflict=no_conflict, reason="a conflict")

    assignment.refresh_from_db()
    assert (assignment.state, assignment.declared_at) == (AssignmentState.PENDING, None)


@pytest.mark.parametrize("who", ["manager", "expert_rs", "committee"])
def test_only_the_office_publishes_a_questionnaire(manager: Membership, staff: dict[str, User], who: str) -> None:
    draft = make_version(Level.SILVER, status=VersionStatus.DRAFT)
    person = manager.user if who == "manager" else staff[who]

    with pytest.raises(PermissionDenied):
        version_publish(version=draft, by=person)

    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    assert version_publish(version=draft, by=staff["office"]).status == VersionStatus.PUBLISHED
