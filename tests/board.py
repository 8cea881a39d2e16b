"""Taking a decision the way the board does (``labels.board``), for tests that need one.

``decide_at_meeting`` has the shape of ``labels.decisions.application_decide``:
``by`` is the member who approves; the office schedules and opens a meeting
with a quorum (``by``, a rapporteur who proposes, and further members), the
rapporteur proposes ``outcome`` and ``by`` approves it.
"""

from __future__ import annotations

from django.db import transaction

from accounts.enums import StaffRole
from accounts.models import User
from assessments.enums import DecisionOutcome
from assessments.models import Application, Decision
from common.scheme import board_rules
from labels import board
from labels.models import AgendaItem, Meeting
from tests.factories import RoleGrantFactory


def committee_member() -> User:
    return RoleGrantFactory(role=StaffRole.LABEL_COMMITTEE).user


def office_person() -> User:
    return RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user


def meeting_in_session(
    applications: list[Application], members: list[User] | None = None, office: User | None = None
) -> Meeting:
    """A meeting of today with ``applications`` on its agenda, opened with ``members``
    (a quorum of new committee members when None)."""
    office = office or office_person()
    from django.utils import timezone

    meeting = board.meeting_schedule(by=office, held_on=timezone.localdate(), applications=applications)
    if members is None:
        members = [committee_member() for _ in range(board_rules().quorum)]
    return board.meeting_open(meeting=meeting, by=office, members=members)


def item_of(meeting: Meeting, application: Application) -> AgendaItem:
    return AgendaItem.objects.get(meeting=meeting, application=application)


def decide_at_meeting(
    *,
    application: Application,
    by: User,
    outcome: DecisionOutcome | str,
    reason: str = "",
    certificate_language: str | None = None,
    rapporteur: User | None = None,
) -> Decision:
    # All or nothing, like one sitting: a refused proposal leaves no meeting behind.
    with transaction.atomic():
        return _decide(application, by, outcome, reason, certificate_language, rapporteur)


def _decide(
    application: Application,
    by: User,
    outcome: DecisionOutcome | str,
    reason: str,
    certificate_language: str | None,
    rapporteur: User | None,
) -> Decision:
    rapporteur = rapporteur or committee_member()
    others = [committee_member() for _ in range(max(0, board_rules().quorum - 2))]
    meeting = meeting_in_session([application], members=[by, rapporteur, *others])
    item = item_of(meeting, application)
    board.proposal_make(
        item=item, by=rapporteur, outcome=outcome, reason=reason, certificate_language=certificate_language
    )
    return board.proposal_approve(item=item, by=by)
