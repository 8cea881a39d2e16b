"""Every move of the workflow, for every role: allowed exactly where the table says."""

from __future__ import annotations

import threading
from typing import Literal, TypedDict

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from accounts.enums import StaffRole
from accounts.models import User
from assessments import selectors
from assessments.enums import ApplicationState as S
from assessments.enums import AssignmentState, DecisionOutcome
from assessments.models import Application, AssessmentReport, Assignment, Decision, QuestionnaireVersion
from assessments.services import applications
from assessments.transitions import MOVES
from clusters.models import Membership
from common.errors import ActionRefused
from labels import board
from labels.models import Label
from tests.assessments.test_applications import start
from tests.board import item_of, meeting_in_session
from tests.factories import AssessorProfileFactory, MembershipFactory, RoleGrantFactory, UserFactory

# Who may make each move (the rest must be refused), written out here rather
# than read from the table under test.
BEFORE_A_DECISION = [state for state in S if state not in (S.AWARDED, S.REFUSED, S.WITHDRAWN, S.ARCHIVED)]
EXPECTED: dict[tuple[S, S], set[str]] = {
    (S.DRAFT, S.SUBMITTED): {"manager"},
    (S.SUBMITTED, S.ASSESSOR_ASSIGNMENT): {"office"},
    (S.ASSESSOR_ASSIGNMENT, S.IN_ASSESSMENT): {"assessor"},
    (S.IN_ASSESSMENT, S.ASSESSOR_ASSIGNMENT): {"assessor"},
    (S.IN_ASSESSMENT, S.CLARIFICATION_REQUESTED): {"assessor"},
    (S.CLARIFICATION_REQUESTED, S.IN_ASSESSMENT): {"manager", "contributor"},
    (S.IN_ASSESSMENT, S.ASSESSED): {"assessor"},
    (S.ASSESSED, S.IN_QUALITY_CHECK): {"office"},
    (S.IN_QUALITY_CHECK, S.AWAITING_DECISION): {"office"},
    (S.IN_QUALITY_CHECK, S.IN_ASSESSMENT): {"office"},
    (S.AWAITING_DECISION, S.AWARDED): {"committee"},
    (S.AWAITING_DECISION, S.REFUSED): {"committee"},
    # The system makes these two on the office's account (a replaced expert, an idle draft).
    (S.CLARIFICATION_REQUESTED, S.ASSESSOR_ASSIGNMENT): {"office"},
    (S.DRAFT, S.ARCHIVED): {"office"},
    **{(state, S.WITHDRAWN): {"manager"} for state in BEFORE_A_DECISION},
}


def cast_role(name: str) -> Role:
    for role in ROLES:
        if role == name:
            return role
    raise AssertionError(name)


def _who_may_move_into(state: S) -> set[str]:
    return set().union(*(roles for (_from, to), roles in EXPECTED.items() if to == state))


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


def test_the_table_holds_exactly_the_expected_moves() -> None:
    assert set(MOVES) == set(EXPECTED)


@pytest.mark.parametrize("move", sorted(EXPECTED, key=str), ids=lambda m: f"{m[0]}->{m[1]}")
@pytest.mark.parametrize("role", ROLES)
def test_each_move_is_allowed_only_to_its_roles(cast: Cast, move: tuple[S, S], role: Role) -> None:
    application = cast["application"]
    Application.objects.filter(pk=application.pk).update(state=move[0])
    application.refresh_from_db()

    if role in EXPECTED[move]:
        applications.application_transition(application=application, to_state=move[1], by=cast[role], note="a reason")
        assert Application.objects.get(pk=application.pk).state == move[1]
    else:
        with pytest.raises(PermissionDenied):
            applications.application_transition(
                application=application, to_state=move[1], by=cast[role], note="a reason"
            )
        assert Application.objects.get(pk=application.pk).state == move[0]


ILLEGAL = [(a, b) for a in S for b in S if a != b and (a, b) not in EXPECTED]


@pytest.mark.parametrize(("from_state", "to_state"), ILLEGAL, ids=lambda s: str(s))
def test_every_move_outside_the_table_is_refused(cast: Cast, from_state: S, to_state: S) -> None:
    """Asked by someone who may move a case into ``to_state`` from elsewhere,
    the move is refused for what it is; asked into a state nobody may move a
    case into, the person is refused first (and learns nothing of the case)."""
    application = cast["application"]
    Application.objects.filter(pk=application.pk).update(state=from_state)
    movers = sorted(_who_may_move_into(to_state))
    refusal = ActionRefused if movers else PermissionDenied
    person = cast[cast_role(movers[0])] if movers else cast["office"]

    with pytest.raises(refusal):
        applications.application_transition(application=application, to_state=to_state, by=person, note="x")

    assert Application.objects.get(pk=application.pk).state == from_state
    assert [t.to_state for t in selectors.transitions_of(application)] == [S.DRAFT]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_committee_members_deciding_at_once_make_one_decision(
    postgres: None, bronze: QuestionnaireVersion, manager: Membership
) -> None:
    application = start(manager)
    Application.objects.filter(pk=application.pk).update(state=S.AWAITING_DECISION)
    AssessmentReport.objects.create(application=application, summary="s", passed=True)
    # One proposal in session; two other members approve it at the same moment.
    rapporteur, *members = [RoleGrantFactory(role=StaffRole.LABEL_COMMITTEE).user for _ in range(3)]
    meeting = meeting_in_session([application], members=[rapporteur, *members])
    item = item_of(meeting, application)
    board.proposal_make(item=item, by=rapporteur, outcome=DecisionOutcome.AWARDED)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(member: User) -> None:
        barrier.wait()
        try:
            board.proposal_approve(item=item, by=member)
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
