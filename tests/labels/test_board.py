"""The board: meetings with a quorum, a rapporteur who proposes and a second member who
approves, nobody judging a case they assessed, checked or are linked to, and minutes."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks, Settings

from accounts.enums import StaffRole
from accounts.models import User
from assessments.enums import ApplicationState, DecisionOutcome
from assessments.models import Application, Decision, QuestionnaireVersion
from clusters.enums import MembershipRole
from clusters.models import Membership
from common.errors import ActionRefused
from labels import board
from labels.enums import AgendaItemState, MeetingState
from labels.models import AgendaItem, Label, Meeting
from tests.assessments import conftest as assessments_fixtures
from tests.assessments.test_workflow import _to_decision
from tests.board import committee_member, item_of, meeting_in_session
from tests.factories import MembershipFactory, OrganisationFactory, RoleGrantFactory

bronze = assessments_fixtures.bronze
organisation = assessments_fixtures.organisation
manager = assessments_fixtures.manager
staff = assessments_fixtures.staff


@pytest.fixture
def case(bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]) -> Application:
    return _to_decision(manager, staff)


def _scheduled(case: Application, office: User) -> Meeting:
    return board.meeting_schedule(by=office, held_on=timezone.localdate(), applications=[case])


# --- Quorum ---------------------------------------------------------------------------------


def test_meeting_one_member_short_of_quorum_does_not_open(
    case: Application, staff: dict[str, User], settings: Settings
) -> None:
    settings.LABEL_BOARD = {"quorum": 3}
    meeting = _scheduled(case, staff["office"])

    with pytest.raises(ActionRefused, match="No quorum: 2 member"):
        board.meeting_open(meeting=meeting, by=staff["office"], members=[committee_member(), committee_member()])

    meeting.refresh_from_db()
    assert (meeting.state, meeting.members_present.count()) == (MeetingState.SCHEDULED, 0)


def test_meeting_with_exactly_the_quorum_decides(case: Application, staff: dict[str, User], settings: Settings) -> None:
    settings.LABEL_BOARD = {"quorum": 3}
    rapporteur, second, third = committee_member(), committee_member(), committee_member()
    meeting = _scheduled(case, staff["office"])
    board.meeting_open(meeting=meeting, by=staff["office"], members=[rapporteur, second, third])
    item = item_of(meeting, case)

    board.proposal_make(item=item, by=rapporteur, outcome=DecisionOutcome.AWARDED, reason="Passes.")
    decision = board.proposal_approve(item=item, by=second)

    assert (decision.outcome, decision.decided_by) == (DecisionOutcome.AWARDED, second)
    assert Application.objects.get(pk=case.pk).state == ApplicationState.AWARDED
    assert Label.objects.filter(application=case).count() == 1
    item.refresh_from_db()
    assert (item.state, item.rapporteur, item.approved_by) == (AgendaItemState.APPROVED, rapporteur, second)


def test_quorum_is_the_configuration_s_when_scheduled(
    case: Application, staff: dict[str, User], settings: Settings
) -> None:
    settings.LABEL_BOARD = {"quorum": 4}

    assert _scheduled(case, staff["office"]).quorum == 4


def test_only_committee_members_count_as_present(case: Application, staff: dict[str, User]) -> None:
    meeting = _scheduled(case, staff["office"])

    with pytest.raises(ActionRefused, match="Only members of the label committee"):
        board.meeting_open(meeting=meeting, by=staff["office"], members=[staff["office"], committee_member()])


# --- Four eyes inside the committee ---------------------------------------------------------


def test_rapporteur_approving_his_own_proposal_is_refused(case: Application) -> None:
    meeting = meeting_in_session([case])
    rapporteur = meeting.members_present.first()
    assert rapporteur is not None
    item = item_of(meeting, case)
    board.proposal_make(item=item, by=rapporteur, outcome=DecisionOutcome.AWARDED)

    with pytest.raises(PermissionDenied):
        board.proposal_approve(item=item, by=rapporteur)

    assert Decision.objects.count() == 0
    assert AgendaItem.objects.get(pk=item.pk).state == AgendaItemState.PROPOSED


def test_a_member_alone_cannot_decide_outside_a_meeting(case: Application, staff: dict[str, User]) -> None:
    from labels.decisions import application_decide

    with pytest.raises(ActionRefused, match="decides in a meeting"):
        application_decide(application=case, by=staff["committee"], outcome=DecisionOutcome.AWARDED)

    assert Decision.objects.count() == 0


def test_a_member_absent_from_the_meeting_neither_proposes_nor_approves(case: Application) -> None:
    meeting = meeting_in_session([case])
    absent = committee_member()
    item = item_of(meeting, case)

    with pytest.raises(PermissionDenied):
        board.proposal_make(item=item, by=absent, outcome=DecisionOutcome.AWARDED)
    board.proposal_make(item=item, by=meeting.members_present.all()[0], outcome=DecisionOutcome.AWARDED)
    with pytest.raises(PermissionDenied):
        board.proposal_approve(item=item, by=absent)


def test_second_member_sends_a_proposal_back_with_a_reason(case: Application) -> None:
    meeting = meeting_in_session([case])
    rapporteur, second, *_ = meeting.members_present.all()
    item = item_of(meeting, case)
    board.proposal_make(item=item, by=rapporteur, outcome=DecisionOutcome.AWARDED)

    with pytest.raises(ActionRefused, match="Say why"):
        board.proposal_send_back(item=item, by=second, reason="")
    board.proposal_send_back(item=item, by=second, reason="Read B3 again.")
    board.proposal_make(item=item, by=second, outcome=DecisionOutcome.REFUSED, reason="B3 is not met.")
    decision = board.proposal_approve(item=item, by=rapporteur)

    assert (decision.outcome, decision.decided_by) == (DecisionOutcome.REFUSED, rapporteur)


def test_nothing_is_decided_before_the_meeting_opens_or_after_it_closes(
    case: Application, staff: dict[str, User]
) -> None:
    meeting = _scheduled(case, staff["office"])
    member = committee_member()
    meeting.members_present.add(member)  # as if present, but the meeting is not in session

    with pytest.raises(ActionRefused, match="in session"):
        board.proposal_make(item=item_of(meeting, case), by=member, outcome=DecisionOutcome.AWARDED)


def test_a_case_withdrawn_after_the_agenda_is_not_proposed(case: Application) -> None:
    meeting = meeting_in_session([case])
    Application.objects.filter(pk=case.pk).update(state=ApplicationState.WITHDRAWN)

    with pytest.raises(ActionRefused, match="Only cases awaiting a decision"):
        board.proposal_make(
            item=item_of(meeting, case), by=meeting.members_present.all()[0], outcome="refused", reason="x"
        )


# --- Impartiality ---------------------------------------------------------------------------


def test_office_and_committee_person_who_did_the_quality_check_is_refused(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    both = staff["office"]
    RoleGrantFactory(user=both, role=StaffRole.LABEL_COMMITTEE)
    case = _to_decision(manager, staff)  # the office (both roles) checked its quality
    both = User.objects.get(pk=both.pk)
    meeting = meeting_in_session([case], members=[both, committee_member(), committee_member()])
    item = item_of(meeting, case)

    with pytest.raises(PermissionDenied):
        board.proposal_make(item=item, by=both, outcome=DecisionOutcome.AWARDED)
    board.proposal_make(item=item, by=meeting.members_present.exclude(pk=both.pk)[0], outcome="awarded")
    with pytest.raises(PermissionDenied):
        board.proposal_approve(item=item, by=both)

    assert Decision.objects.count() == 0


@pytest.mark.parametrize("left", [False, True], ids=["member", "former member"])
def test_member_of_the_applicant_organisation_is_refused(case: Application, left: bool) -> None:
    insider = committee_member()
    membership = MembershipFactory(organisation=case.organisation, user=insider, role=MembershipRole.CONTRIBUTOR)
    if left:
        Membership.objects.filter(pk=membership.pk).update(left_at=timezone.now())
    meeting = meeting_in_session([case], members=[insider, committee_member(), committee_member()])
    item = item_of(meeting, case)

    with pytest.raises(PermissionDenied):
        board.proposal_make(item=item, by=insider, outcome=DecisionOutcome.AWARDED)
    board.proposal_make(item=item, by=meeting.members_present.exclude(pk=insider.pk)[0], outcome="awarded")
    with pytest.raises(PermissionDenied):
        board.proposal_approve(item=item, by=insider)

    assert Decision.objects.count() == 0


def test_expert_who_declined_the_case_is_refused(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    from assessments.services import assessing
    from tests.assessments.test_workflow import submitted

    application = submitted(manager)
    assessing.assignment_create(application=application, assessors=[staff["expert_rs"]], by=staff["office"])
    assessing.assignment_declare(
        assignment=application.assignments.get(), by=staff["expert_rs"], no_conflict=False, reason="I advised them."
    )
    RoleGrantFactory(user=staff["expert_rs"], role=StaffRole.LABEL_COMMITTEE)

    assert not User.objects.get(pk=staff["expert_rs"].pk).has_perm("assessments.decide", application)


# --- Agenda ---------------------------------------------------------------------------------


def test_a_case_is_on_one_open_agenda_at_a_time(case: Application, staff: dict[str, User]) -> None:
    _scheduled(case, staff["office"])

    with pytest.raises(ActionRefused, match="not on another meeting"):
        _scheduled(case, staff["office"])


def test_an_undecided_case_goes_to_the_next_meeting(case: Application, staff: dict[str, User]) -> None:
    meeting = meeting_in_session([case], office=staff["office"])
    board.meeting_close(meeting=meeting, by=staff["office"])

    assert board.cases_ready_for_agenda() == [case]


def test_committee_member_cannot_schedule_or_open(case: Application, staff: dict[str, User]) -> None:
    with pytest.raises(PermissionDenied):
        _scheduled(case, staff["committee"])
    meeting = _scheduled(case, staff["office"])
    with pytest.raises(PermissionDenied):
        board.meeting_open(meeting=meeting, by=staff["committee"], members=[committee_member()] * 3)


# --- Minutes --------------------------------------------------------------------------------


def test_minutes_list_the_meeting_and_every_decision_with_who_took_it(
    case: Application,
    staff: dict[str, User],
    client: Client,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    rapporteur = RoleGrantFactory(role=StaffRole.LABEL_COMMITTEE, user__full_name="Rita Rapporteur").user
    second = RoleGrantFactory(role=StaffRole.LABEL_COMMITTEE, user__full_name="Sam Second").user
    third = RoleGrantFactory(role=StaffRole.LABEL_COMMITTEE, user__full_name="Tom Third").user
    meeting = meeting_in_session([case], members=[rapporteur, second, third], office=staff["office"])
    item = item_of(meeting, case)
    board.proposal_make(item=item, by=rapporteur, outcome=DecisionOutcome.AWARDED, reason="Passes.")
    board.proposal_approve(item=item, by=second)
    with django_capture_on_commit_callbacks(execute=True):
        board.meeting_close(meeting=meeting, by=staff["office"])

    client.force_login(third)
    response = client.get(reverse("labels:meeting_minutes", args=[meeting.pk]))
    import io

    pdf = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)

    assert response["Content-Type"] == "application/pdf"
    for expected in ("Rita Rapporteur", "Sam Second", "Tom Third", case.organisation.name, "Awarded", "quorum 3"):
        assert expected in text


def test_minutes_are_not_for_the_applicant(case: Application, manager: Membership, client: Client) -> None:
    meeting = meeting_in_session([case])
    board.meeting_close(meeting=meeting, by=RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user)
    client.force_login(manager.user)

    assert client.get(reverse("labels:meeting_minutes", args=[meeting.pk])).status_code == 403


@pytest.mark.parametrize("size", [1, 4])
def test_meeting_list_queries_do_not_grow(
    staff: dict[str, User], client: Client, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    from datetime import timedelta

    for n in range(size):
        Meeting.objects.create(held_on=timezone.localdate() + timedelta(days=n), quorum=3, scheduled_by=staff["office"])
    client.force_login(staff["committee"])

    with django_assert_num_queries(9):
        response = client.get(reverse("labels:meetings"))

    assert len(response.context["meetings"]) == size


@pytest.mark.parametrize("size", [1, 4])
def test_a_meeting_page_reads_each_kind_once_whatever_its_agenda(
    bronze: QuestionnaireVersion, client: Client, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    """The committee's batch: one agenda of ``size`` cases, each with its proposal, costs the same queries."""
    from assessments.models import AssessmentReport
    from tests.assessments.test_applications import start

    cases = []
    for _ in range(size):
        organisation = OrganisationFactory(**assessments_fixtures.ELIGIBLE)
        application = start(MembershipFactory(organisation=organisation, role=MembershipRole.MANAGER))
        Application.objects.filter(pk=application.pk).update(state=ApplicationState.AWAITING_DECISION)
        AssessmentReport.objects.create(application=application, summary="s", passed=True)
        cases.append(application)
    rapporteur, second, third = committee_member(), committee_member(), committee_member()
    meeting = meeting_in_session(cases, members=[rapporteur, second, third])
    for application in cases:
        board.proposal_make(item=item_of(meeting, application), by=rapporteur, outcome=DecisionOutcome.AWARDED)
    client.force_login(second)

    # Session, person, roles, meeting, agenda, members present, the member's ties (assignments,
    # memberships, moves), the committee, the header's queues: 18 with one case and 33 with four before.
    with django_assert_num_queries(13):
        response = client.get(reverse("labels:meeting_detail", args=[meeting.pk]))

    assert response.status_code == 200 and len(response.context["rows"]) == size
