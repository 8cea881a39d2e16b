"""From a submitted application to a decision: the workflow's rules."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from accounts.enums import StaffRole
from accounts.models import User
from assessments import selectors
from assessments.enums import ApplicationState, AssignmentState, DecisionOutcome
from assessments.models import Application, Decision, Indicator, QuestionnaireVersion
from assessments.scoring import compute_result
from assessments.services import applications, assessing
from assessments.transitions import MOVES
from clusters.models import Membership
from common.enums import Level
from common.errors import ActionRefused
from common.models import Notification
from labels.decisions import application_decide
from labels.models import Label
from tests.assessments.conftest import make_version
from tests.assessments.test_applications import answer_all, start, upload
from tests.board import decide_at_meeting
from tests.factories import MembershipFactory, RoleGrantFactory, UserFactory


def submitted(manager: Membership, level: str = "bronze") -> Application:
    application = start(manager, Level(level))
    answer_all(application, manager.user)
    upload(application, manager.user)
    return applications.application_submit(application=application, by=manager.user)


def score_everything(application: Application, expert: User, met: bool = True, agreed: bool = False) -> None:
    for indicator in Indicator.objects.filter(version=application.version):
        assessing.score_save(
            application=application, indicator=indicator, by=expert, met=met, comment="ok", agreed=agreed
        )


def test_moves_table_covers_the_whole_workflow() -> None:
    reached = {to for _from, to in MOVES}
    assert reached == set(ApplicationState) - {ApplicationState.DRAFT}


def test_bronze_case_from_submission_to_label(
    bronze: QuestionnaireVersion,
    manager: Membership,
    staff: dict[str, User],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    application = submitted(manager)
    offered = [p.user for p in selectors.assessors_offered(application)]
    assert staff["expert_rs"] in offered and staff["expert_rs2"] not in offered  # not certified for Bronze

    with django_capture_on_commit_callbacks(execute=True):
        assessing.assignment_create(application=application, assessors=[staff["expert_rs"]], by=staff["office"])
    assert Notification.objects.filter(user=staff["expert_rs"]).count() == 1
    assert not staff["expert_rs"].has_perm("assessments.view_application", application)

    assessing.assignment_declare(assignment=application.assignments.get(), by=staff["expert_rs"], no_conflict=True)
    application.refresh_from_db()
    assert application.state == ApplicationState.IN_ASSESSMENT
    assert staff["expert_rs"].has_perm("assessments.view_application", application)

    with django_capture_on_commit_callbacks(execute=True):
        clarification = assessing.clarification_ask(
            application=application,
            by=staff["expert_rs"],
            question="Which events?",
            due_on=date.today() + timedelta(days=14),
        )
    assert Application.objects.get(pk=application.pk).state == ApplicationState.CLARIFICATION_REQUESTED
    assert [m.to for m in mail.outbox][-1] == [manager.user.email]
    assessing.clarification_answer(clarification=clarification, by=manager.user, answer="Matchmaking days.")
    assert Application.objects.get(pk=application.pk).state == ApplicationState.IN_ASSESSMENT

    score_everything(application, staff["expert_rs"])
    report = assessing.assessment_complete(
        application=application, by=staff["expert_rs"], assessed_on=timezone.localdate(), summary="Solid."
    )
    assert report.passed is True
    assessing.quality_check(application=application, by=staff["office"], to_state=ApplicationState.IN_QUALITY_CHECK)
    assessing.quality_check(application=application, by=staff["office"], to_state=ApplicationState.AWAITING_DECISION)

    decision = decide_at_meeting(application=application, by=staff["committee"], outcome=DecisionOutcome.AWARDED)

    label = Label.objects.get()
    assert (decision.outcome, Application.objects.get(pk=application.pk).state) == ("awarded", ApplicationState.AWARDED)
    assert (label.application_id, label.level, label.assessed_on) == (application.pk, "bronze", timezone.localdate())
    timeline = [t.to_state for t in selectors.transitions_of(application)]
    assert timeline == [
        "draft",
        "submitted",
        "assessor_assignment",
        "in_assessment",
        "clarification_requested",
        "in_assessment",
        "assessed",
        "in_quality_check",
        "awaiting_decision",
        "awarded",
    ]


def test_former_member_is_never_offered(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    MembershipFactory(organisation=manager.organisation, user=staff["expert_rs"], left_at=timezone.now())
    application = submitted(manager)

    assert staff["expert_rs"] not in [p.user for p in selectors.assessors_offered(application)]
    with pytest.raises(ActionRefused, match="Choose among the experts offered"):
        assessing.assignment_create(application=application, assessors=[staff["expert_rs"]], by=staff["office"])


def test_decline_returns_the_case_to_assignment(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = submitted(manager)
    assessing.assignment_create(application=application, assessors=[staff["expert_rs"]], by=staff["office"])

    with pytest.raises(ActionRefused, match="say why"):
        assessing.assignment_declare(assignment=application.assignments.get(), by=staff["expert_rs"], no_conflict=False)
    assessing.assignment_declare(
        assignment=application.assignments.get(),
        by=staff["expert_rs"],
        no_conflict=False,
        reason="I advised them in 2024",
    )

    assert application.assignments.get().state == AssignmentState.DECLINED
    assert staff["expert_rs"] not in [p.user for p in selectors.assessors_offered(application)]
    assessing.assignment_create(application=application, assessors=[staff["expert_de"]], by=staff["office"])
    assert Application.objects.get(pk=application.pk).state == ApplicationState.ASSESSOR_ASSIGNMENT


def test_gold_needs_one_national_and_one_foreign_expert(manager: Membership, staff: dict[str, User]) -> None:
    make_version("gold")
    application = submitted(manager, "gold")

    with pytest.raises(ActionRefused, match="needs 2 expert"):
        assessing.assignment_create(application=application, assessors=[staff["expert_rs"]], by=staff["office"])
    with pytest.raises(ActionRefused, match="one from another country"):
        assessing.assignment_create(
            application=application, assessors=[staff["expert_rs"], staff["expert_rs2"]], by=staff["office"]
        )

    assessing.assignment_create(
        application=application, assessors=[staff["expert_rs"], staff["expert_de"]], by=staff["office"]
    )
    assert application.assignments.count() == 2


def test_gold_experts_score_independently_then_agree(manager: Membership, staff: dict[str, User]) -> None:
    make_version("gold")
    application = submitted(manager, "gold")
    assessing.assignment_create(
        application=application, assessors=[staff["expert_rs"], staff["expert_de"]], by=staff["office"]
    )
    for expert in (staff["expert_rs"], staff["expert_de"]):
        assessing.assignment_declare(
            assignment=application.assignments.get(assessor=expert), by=expert, no_conflict=True
        )
    indicator = Indicator.objects.filter(version=application.version).first()
    assert indicator is not None

    score_everything(application, staff["expert_rs"], met=True)
    with pytest.raises(ActionRefused, match="Both experts must submit"):
        assessing.score_save(application=application, indicator=indicator, by=staff["expert_rs"], met=True, agreed=True)
    assessing.own_scores_submit(application=application, by=staff["expert_rs"])
    assert selectors.agreed_scores(application) == {}
    score_everything(application, staff["expert_de"], met=True)
    assessing.score_save(application=application, indicator=indicator, by=staff["expert_de"], met=False)
    assessing.own_scores_submit(application=application, by=staff["expert_de"])

    agreed = selectors.agreed_scores(application)
    assert indicator.pk not in agreed  # they differed: left for them to agree
    assert len(agreed) == Indicator.objects.filter(version=application.version).count() - 1
    assessing.score_save(application=application, indicator=indicator, by=staff["expert_de"], met=True, agreed=True)
    assert selectors.agreed_scores(application)[indicator.pk].met is True


def test_agreed_scores_start_with_both_experts_words(manager: Membership, staff: dict[str, User]) -> None:
    make_version("gold")
    application = submitted(manager, "gold")
    experts = [staff["expert_rs"], staff["expert_de"]]
    assessing.assignment_create(application=application, assessors=experts, by=staff["office"])
    for expert in experts:
        assessing.assignment_declare(
            assignment=application.assignments.get(assessor=expert), by=expert, no_conflict=True
        )
    indicator = Indicator.objects.filter(version=application.version).first()
    assert indicator is not None
    for expert, word in zip(experts, ("first", "second"), strict=True):
        for each in Indicator.objects.filter(version=application.version):
            assessing.score_save(
                application=application,
                indicator=each,
                by=expert,
                met=True,
                comment=f"{word} comment",
                recommendation=f"{word} recommendation" if word == "first" else "",
            )

    for expert in experts:
        assessing.own_scores_submit(application=application, by=expert)

    agreed = selectors.agreed_scores(application)[indicator.pk]
    assert (agreed.met, sorted(agreed.comment.splitlines()), agreed.recommendation) == (
        True,
        ["first comment", "second comment"],
        "first recommendation",
    )


def test_committee_member_who_assessed_cannot_decide(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    RoleGrantFactory(user=staff["expert_rs"], role=StaffRole.LABEL_COMMITTEE)
    application = _to_decision(manager, staff)

    with pytest.raises(PermissionDenied):
        decide_at_meeting(
            application=application, by=User.objects.get(pk=staff["expert_rs"].pk), outcome=DecisionOutcome.AWARDED
        )

    assert Decision.objects.count() == 0


def _to_decision(manager: Membership, staff: dict[str, User]) -> Application:
    application = submitted(manager)
    assessing.assignment_create(application=application, assessors=[staff["expert_rs"]], by=staff["office"])
    assessing.assignment_declare(assignment=application.assignments.get(), by=staff["expert_rs"], no_conflict=True)
    score_everything(application, staff["expert_rs"])
    assessing.assessment_complete(
        application=application, by=staff["expert_rs"], assessed_on=timezone.localdate(), summary="S"
    )
    assessing.quality_check(application=application, by=staff["office"], to_state=ApplicationState.IN_QUALITY_CHECK)
    return assessing.quality_check(
        application=application, by=staff["office"], to_state=ApplicationState.AWAITING_DECISION
    )


def test_deciding_twice_gives_one_decision_and_one_label(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = _to_decision(manager, staff)
    other_member = RoleGrantFactory(role=StaffRole.LABEL_COMMITTEE).user

    decide_at_meeting(application=application, by=staff["committee"], outcome=DecisionOutcome.AWARDED)
    # A decided case goes on no further agenda ...
    with pytest.raises(ActionRefused, match="Only cases awaiting a decision"):
        decide_at_meeting(application=application, by=other_member, outcome=DecisionOutcome.AWARDED)
    # ... and the decision path refuses a second decision whoever calls it.
    with pytest.raises(ActionRefused, match="already been decided"):
        application_decide(application=application, by=other_member, outcome=DecisionOutcome.AWARDED)

    assert (Decision.objects.count(), Label.objects.count()) == (1, 1)


def test_refusal_needs_a_reason_and_creates_no_label(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = _to_decision(manager, staff)

    with pytest.raises(ActionRefused, match="reason"):
        decide_at_meeting(application=application, by=staff["committee"], outcome=DecisionOutcome.REFUSED)
    decide_at_meeting(
        application=application,
        by=staff["committee"],
        outcome=DecisionOutcome.REFUSED,
        reason="Evidence does not support B3.",
    )

    assert Application.objects.get(pk=application.pk).state == ApplicationState.REFUSED
    assert Label.objects.count() == 0


ROLES = ["manager", "contributor", "office", "committee", "assessor", "other_assessor", "outsider"]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_office_assigns(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User], role: str
) -> None:
    application = submitted(manager)
    people = {
        "manager": manager.user,
        "contributor": MembershipFactory(organisation=manager.organisation, role="contributor").user,
        "office": staff["office"],
        "committee": staff["committee"],
        "assessor": staff["expert_rs"],
        "other_assessor": staff["expert_de"],
        "outsider": UserFactory(),
    }

    if role == "office":
        assessing.assignment_create(application=application, assessors=[staff["expert_rs"]], by=people[role])
        assert application.assignments.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            assessing.assignment_create(application=application, assessors=[staff["expert_rs"]], by=people[role])


@pytest.mark.parametrize("role", ["manager", "office", "committee", "other_assessor", "outsider"])
def test_only_the_assigned_expert_scores(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User], role: str
) -> None:
    application = submitted(manager)
    assessing.assignment_create(application=application, assessors=[staff["expert_rs"]], by=staff["office"])
    assessing.assignment_declare(assignment=application.assignments.get(), by=staff["expert_rs"], no_conflict=True)
    people = {
        "manager": manager.user,
        "office": staff["office"],
        "committee": staff["committee"],
        "other_assessor": staff["expert_de"],
        "outsider": UserFactory(),
    }
    indicator = Indicator.objects.filter(version=application.version).first()
    assert indicator is not None

    with pytest.raises(PermissionDenied):
        assessing.score_save(application=application, indicator=indicator, by=people[role], met=True)


@pytest.mark.parametrize(
    ("points", "met", "passed"),
    [
        ((799, 201, 0), (True, False, True), False),  # 79.9 %
        ((800, 200, 0), (True, False, True), True),  # 80 %
        ((15999, 4001, 0), (True, False, True), False),  # 79.995 %: shown rounded as 80.00 %, still fails
        ((16000, 4000, 0), (True, False, True), True),  # 80 % exactly
        ((500, 500, 0), (True, True, False), False),  # 100 %, a minimum missed
    ],
)
def test_gold_pass_mark_boundary(points: tuple[int, ...], met: tuple[bool, ...], passed: bool) -> None:
    from types import SimpleNamespace

    indicators = [
        SimpleNamespace(pk=n, code=f"G{n}", max_points=p, minimum_requirement=n == 2, section=SimpleNamespace(code="G"))
        for n, p in enumerate(points)
    ]
    agreed = {n: SimpleNamespace(met=m) for n, m in enumerate(met)}

    result = compute_result(level="gold", indicators=indicators, agreed=agreed, eligible=True)  # type: ignore[arg-type]

    assert result.passed is passed


def test_report_pdf_is_rendered_once_and_shown_to_the_organisation_after_the_decision(
    bronze: QuestionnaireVersion,
    manager: Membership,
    staff: dict[str, User],
    client: Client,
    settings: Settings,
    tmp_path: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    from django.urls import reverse

    from assessments.models import AssessmentReport
    from assessments.tasks import render_report

    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        application = _to_decision(manager, staff)
    report = AssessmentReport.objects.get(application=application)
    first_name = report.pdf.name
    render_report(application.pk)  # a second run, as after a redelivery

    report.refresh_from_db()
    assert report.pdf.name == first_name
    assert report.pdf.read()[:5] == b"%PDF-"
    url = reverse("assessments:report_download", args=[application.pk])
    client.force_login(manager.user)
    assert client.get(url).status_code == 404  # not before the decision
    client.force_login(staff["office"])
    assert client.get(url)["Content-Type"] == "application/pdf"
    decide_at_meeting(application=application, by=staff["committee"], outcome=DecisionOutcome.AWARDED)
    client.force_login(manager.user)
    response = client.get(url)
    assert response["Content-Disposition"].startswith("attachment;")


def test_office_hears_of_an_overdue_answer_once(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    from assessments.models import Clarification

    application = submitted(manager)
    assessing.assignment_create(application=application, assessors=[staff["expert_rs"]], by=staff["office"])
    assessing.assignment_declare(assignment=application.assignments.get(), by=staff["expert_rs"], no_conflict=True)
    assessing.clarification_ask(
        application=application, by=staff["expert_rs"], question="Budget?", due_on=date.today() + timedelta(days=3)
    )
    Clarification.objects.update(due_on=date.today() - timedelta(days=1))

    first = assessing.overdue_clarifications_notify()
    second = assessing.overdue_clarifications_notify()

    assert (first, second) == (1, 0)
    assert Notification.objects.filter(user=staff["office"], title__startswith="Overdue answer").count() == 1
