"""The national partner's pipeline, and the partner told of awards and refusals in its countries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks

from accounts.models import User
from assessments.enums import DecisionOutcome
from assessments.models import Application, Clarification, QuestionnaireVersion
from assessments.services import assessing
from clusters.models import Membership
from common.enums import Level
from common.models import Notification
from tests.assessments.conftest import ELIGIBLE
from tests.assessments.test_applications import start
from tests.assessments.test_workflow import _to_decision, submitted
from tests.board import decide_at_meeting
from tests.factories import MembershipFactory, OrganisationFactory, PartnerStaffFactory

TODAY = timezone.localdate()


@pytest.fixture
def partners(db: None) -> dict[str, User]:
    return {
        "serbia": PartnerStaffFactory(partner__countries=["RS"], user__email="serbia@partner.example").user,
        "croatia": PartnerStaffFactory(partner__countries=["HR"], user__email="croatia@partner.example").user,
    }


def in_assessment(manager: Membership, staff: dict[str, User]) -> Application:
    application = submitted(manager)
    assessing.assignment_create(application=application, assessors=[staff["expert_rs"]], by=staff["office"])
    assessing.assignment_declare(assignment=application.assignments.get(), by=staff["expert_rs"], no_conflict=True)
    return application


def test_the_partner_sees_its_countries_cases_in_progress_with_dates_and_late_steps_but_no_assessment(
    client: Client,
    bronze: QuestionnaireVersion,
    manager: Membership,
    staff: dict[str, User],
    partners: dict[str, User],
) -> None:
    case = in_assessment(manager, staff)
    assessing.score_save(
        application=case,
        indicator=case.version.indicators.order_by("pk")[0],
        by=staff["expert_rs"],
        met=True,
        comment="SECRET-SCORE-COMMENT",
    )
    clarification = assessing.clarification_ask(
        application=case, by=staff["expert_rs"], question="SECRET-QUESTION", due_on=TODAY + timedelta(days=3)
    )
    Clarification.objects.filter(pk=clarification.pk).update(due_on=TODAY - timedelta(days=2))
    draft = start(MembershipFactory(organisation=OrganisationFactory(country="RS", **ELIGIBLE)), Level.BRONZE)
    croatian = submitted(MembershipFactory(organisation=OrganisationFactory(country="HR", **ELIGIBLE)))
    client.force_login(partners["serbia"])

    response = client.get(reverse("assessments:partner_pipeline"))

    page = response.content.decode()
    (row,) = response.context["rows"]
    assert row.application == case
    assert [step.state for step in row.steps] == [
        "submitted",
        "assessor_assignment",
        "in_assessment",
        "clarification_requested",
    ]
    assert all(step.on == TODAY for step in row.steps)
    assert [late.due_on for late in row.late] == [TODAY - timedelta(days=2)]
    assert 'data-testid="pipeline-late"' in page and "Late:" in page
    for secret in (
        "SECRET-SCORE-COMMENT",
        "SECRET-QUESTION",
        "We run matchmaking events.",  # an answer
        staff["expert_rs"].get_full_name(),
        staff["expert_rs"].email,
    ):
        assert secret not in page
    assert {draft.pk, croatian.pk} & {r.application.pk for r in response.context["rows"]} == set()


def test_the_partner_of_another_country_and_the_manager_see_nothing(
    client: Client,
    bronze: QuestionnaireVersion,
    manager: Membership,
    staff: dict[str, User],
    partners: dict[str, User],
) -> None:
    submitted(manager)
    client.force_login(partners["croatia"])
    croatia = client.get(reverse("assessments:partner_pipeline"))
    client.force_login(manager.user)
    refused = client.get(reverse("assessments:partner_pipeline"))

    assert (croatia.status_code, croatia.context["rows"], refused.status_code) == (200, [], 403)


def test_the_partner_start_page_counts_the_pipeline(
    client: Client, bronze: QuestionnaireVersion, manager: Membership, partners: dict[str, User]
) -> None:
    submitted(manager)
    client.force_login(partners["serbia"])

    page = client.get(reverse("clusters:partner_start")).content.decode()

    assert "1 application in progress in your countries" in page
    assert reverse("assessments:partner_pipeline") in page


@pytest.mark.parametrize("cases", [1, 4])
def test_the_pipeline_costs_the_same_for_one_case_or_many(
    client: Client,
    bronze: QuestionnaireVersion,
    staff: dict[str, User],
    partners: dict[str, User],
    django_assert_num_queries: DjangoAssertNumQueries,
    cases: int,
) -> None:
    for _ in range(cases):
        submitted(MembershipFactory(organisation=OrganisationFactory(country="RS", **ELIGIBLE)))
    client.force_login(partners["serbia"])
    client.get(reverse("assessments:partner_pipeline"))  # warm the session and the content types

    # 19: with every late step of every case (assessments.late_steps, five queries), not only questions.
    # Was 19: the memberships, partners and roles are read once per request (common.request_cache).
    with django_assert_num_queries(13):
        response = client.get(reverse("assessments:partner_pipeline"))

    assert len(response.context["rows"]) == cases


@pytest.mark.parametrize(
    ("outcome", "reason", "subject"),
    [
        (DecisionOutcome.AWARDED, "", "is awarded the Bronze label"),
        (DecisionOutcome.REFUSED, "SECRET-REASON: 61 % only.", "is not awarded the Bronze label"),
    ],
)
def test_the_partner_is_told_of_an_award_or_a_refusal_in_its_countries(
    bronze: QuestionnaireVersion,
    manager: Membership,
    staff: dict[str, User],
    partners: dict[str, User],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    outcome: DecisionOutcome,
    reason: str,
    subject: str,
) -> None:
    application = _to_decision(manager, staff)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        decide_at_meeting(application=application, by=staff["committee"], outcome=outcome, reason=reason)

    (to_partner,) = [m for m in mail.outbox if m.to == ["serbia@partner.example"]]
    assert to_partner.subject == f"{manager.organisation.name} {subject}"
    assert "SECRET-REASON" not in to_partner.body
    assert [m for m in mail.outbox if m.to == ["croatia@partner.example"]] == []
    assert list(Notification.objects.filter(user=partners["serbia"]).values_list("title", "url")) == [
        (to_partner.subject, reverse("clusters:organisation_detail", args=[manager.organisation.slug]))
    ]


def test_a_manager_who_is_also_the_partner_is_told_once(
    bronze: QuestionnaireVersion,
    manager: Membership,
    staff: dict[str, User],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    PartnerStaffFactory(partner__countries=["RS"], user=manager.user)
    application = _to_decision(manager, staff)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        decide_at_meeting(application=application, by=staff["committee"], outcome=DecisionOutcome.AWARDED)

    assert [m.to for m in mail.outbox].count([manager.user.email]) == 1
