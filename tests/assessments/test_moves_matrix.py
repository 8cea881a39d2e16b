"""Every move of the workflow, for every role: allowed exactly where the table says."""

from __future__ import annotations

import threading
from typing import Literal, TypedDict

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from accounts.enums import StaffRole
from accounts.models import User
from assessments.enums import ApplicationState as S
from assessments.enums import AssignmentState, DecisionOutcome
from assessments.models import Application, AssessmentReport, Assignment, Decision, QuestionnaireVersion
from assessments.services import applications
from assessments.transitions import MOVES
from clusters.models import Membership
from common.errors import ActionRefused
from labels.decisions import application_decide
from labels.models import Label
from tests.assessments.test_applications import start
from tests.factories import AssessorProfileFactory, MembershipFactory, RoleGrantFactory, UserFactory

# Who may make each move (the rest must be refused).
EXPECTED = {
    "submit_application": {"manager"},
    "assign_assessors": {"office"},
    "declare_conflict": {"assessor"},
    "score_application": {"assessor"},
    "answer_clarification": {"manager", "contributor"},
    "check_quality": {"office"},
    "decide": {"committee"},
    "withdraw_application": {"manager"},
}
Role = Literal["manager", "contributor", "assessor", "other_assessor", "office", "committee", "outsider"]
ROLES: list[Role] = ["manager", "contributor", "assessor", "other_assessor", "office", "committee", "outsider"]


class Cast(TypedDict):
    application: Application
    manager: User
    contributor: User
    assessor: User
    other_assessor: User
    office: User
    committee: User
    outsider: User


@pytest.fixture
def cast(bronze: QuestionnaireVersion, manager: Membership) -> Cast:
    application = start(manager)
    assessor = AssessorProfileFactory(certified_levels=["bronze"]).user
    Assignment.objects.create(application=application, assessor=assessor, state=AssignmentState.ACCEPTED)
    return {
        "application": application,
        "manager": manager.user,
        "contributor": MembershipFactory(organisation=manager.organisation, role="contributor").user,
        "assessor": assessor,
        "other_assessor": AssessorProfileFactory(certified_levels=["bronze"]).user,
        "office": RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user,
        "committee": RoleGrantFactory(role=StaffRole.LABEL_COMMITTEE).user,
        "outsider": UserFactory(),
    }


@pytest.mark.parametrize("move", sorted(MOVES, key=str), ids=lambda m: f"{m[0]}->{m[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_each_move_is_allowed_only_to_its_roles(cast: Cast, move: tuple[S, S], role: Role) -> None:
    application = cast["application"]
    Application.objects.filter(pk=application.pk).update(state=move[0])
    application.refresh_from_db()
    permission = MOVES[move].permission.split(".", 1)[1]

    allowed = role in EXPECTED[permission]

    if allowed:
        applications.application_transition(application=application, to_state=move[1], by=cast[role], note="a reason")
        assert Application.objects.get(pk=application.pk).state == move[1]
    else:
        with pytest.raises(PermissionDenied):
            applications.application_transition(
                application=application, to_state=move[1], by=cast[role], note="a reason"
            )
        assert Application.objects.get(pk=application.pk).state == move[0]


@pytest.mark.parametrize(
    ("from_state", "to_state"),
    [(a, b) for a in S for b in S if a != b and (a, b) not in MOVES][:40],
)
def test_moves_outside_the_table_are_refused(cast: Cast, from_state: S, to_state: S) -> None:
    application = cast["application"]
    Application.objects.filter(pk=application.pk).update(state=from_state)

    with pytest.raises(ActionRefused):
        applications.application_transition(application=application, to_state=to_state, by=cast["office"], note="x")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_committee_members_deciding_at_once_make_one_decision(
    postgres: None, bronze: QuestionnaireVersion, manager: Membership
) -> None:
    application = start(manager)
    Application.objects.filter(pk=application.pk).update(state=S.AWAITING_DECISION)
    AssessmentReport.objects.create(application=application, summary="s", passed=True)
    members = [RoleGrantFactory(role=StaffRole.LABEL_COMMITTEE).user for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(member: User) -> None:
        barrier.wait()
        try:
            application_decide(application=application, by=member, outcome=DecisionOutcome.AWARDED)
            outcomes.append("decided")
        except ActionRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["decided", "refused"]
    assert (Decision.objects.count(), Label.objects.count()) == (1, 1)
