"""The board: the label committee decides in meetings (DOMAIN.md, "How the scheme is run").

The office schedules a meeting with the cases awaiting a decision and opens it
with the members present (at least the quorum of ``common.scheme.board_rules``).
In session, for each case a rapporteur present proposes the outcome with its
reasons and a second member present approves it; the approval records the
decision through ``labels.decisions.application_decide``, so the label, its
certificate and the organisation's notification follow as always. Nobody who
assessed the case, checked its quality or is or was linked to the applicant
proposes or approves it (``assessments.rules.may_judge_case``). Closing the
meeting has its minutes rendered by the worker (``labels.minutes``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.rules import is_label_committee
from assessments.enums import ApplicationState, DecisionOutcome
from assessments.models import Application, Decision
from common.errors import ActionRefused
from common.scheme import board_rules
from common.services import history_record
from common.workflow import Arrival, Workflow, transition, workflow_register
from labels.certificates.language import certificate_language_default
from labels.decisions import application_decide
from labels.enums import AgendaItemState, CertificateLanguage, MeetingState
from labels.models import AgendaItem, Meeting
from labels.transitions import AGENDA_MOVES, MEETING_MOVES


def _minutes_rendered(arrival: Arrival) -> None:
    from labels.minutes import render_minutes

    render_minutes.delay(arrival.pk)


MEETING_WORKFLOW: Workflow[Meeting] = workflow_register(
    Workflow(
        name="meeting",
        model=Meeting,
        moves=MEETING_MOVES,
        refusal=gettext_lazy("A meeting that is %(from)s cannot become %(to)s."),
        effects={MeetingState.CLOSED: [_minutes_rendered]},
    )
)


def _proposal_stamp(item: AgendaItem, from_state: str, to_state: str, note: str, by: User | None) -> list[str]:
    if to_state == AgendaItemState.APPROVED:
        item.approved_by, item.approved_at = by, timezone.now()
        return ["approved_by", "approved_at"]
    if to_state == AgendaItemState.PENDING:
        # Sent back: the next proposal starts afresh (the history keeps this one).
        item.outcome, item.reason, item.rapporteur, item.proposed_at = "", "", None, None
        return ["outcome", "reason", "rapporteur", "proposed_at"]
    return []


AGENDA_WORKFLOW: Workflow[AgendaItem] = workflow_register(
    Workflow(
        name="agenda_item",
        model=AgendaItem,
        moves=AGENDA_MOVES,
        refusal=gettext_lazy("A case that is %(from)s on the agenda cannot become %(to)s."),
        note_refusal=gettext_lazy("Say why you send the proposal back."),
        stamp=_proposal_stamp,
    )
)


def cases_ready_for_agenda() -> list[Application]:
    """Cases awaiting a decision that no scheduled or open meeting has on its agenda yet."""
    return list(
        Application.objects.filter(state=ApplicationState.AWAITING_DECISION)
        .exclude(agenda_items__meeting__state__in=[MeetingState.SCHEDULED, MeetingState.OPEN])
        .select_related("organisation")
        .order_by("submitted_at", "id")
    )


@transaction.atomic
def meeting_schedule(*, by: User, held_on: date, applications: Sequence[Application]) -> Meeting:
    """The office schedules a meeting with cases awaiting a decision on its agenda.

    The quorum is the configuration's at scheduling (the minutes show the one that
    applied). Side effects: one history row on the meeting, listing its cases.
    """
    if not by.has_perm("labels.schedule_meeting"):
        raise PermissionDenied
    if held_on < timezone.localdate():
        raise ActionRefused(_("A meeting is scheduled for today or a later day."))
    ready = {case.pk: case for case in cases_ready_for_agenda()}
    chosen = list(dict.fromkeys(case.pk for case in applications))
    if not chosen:
        raise ActionRefused(_("Put at least one case awaiting a decision on the agenda."))
    if any(pk not in ready for pk in chosen):
        raise ActionRefused(_("Only cases awaiting a decision, not on another meeting's agenda, can be put on it."))
    meeting = Meeting.objects.create(held_on=held_on, quorum=board_rules().quorum, scheduled_by=by)
    AgendaItem.objects.bulk_create(
        [AgendaItem(meeting=meeting, application_id=pk, position=n) for n, pk in enumerate(chosen, start=1)]
    )
    history_record(
        obj=meeting,
        action="meeting.created",
        by=by,
        data={"state": ["", MeetingState.SCHEDULED], "held_on": held_on, "cases": ", ".join(map(str, chosen))},
    )
    return meeting


@transaction.atomic
def meeting_open(*, meeting: Meeting, by: User, members: Sequence[User]) -> Meeting:
    """The office opens the meeting with the committee members present: at least the quorum.

    Side effects: the meeting's move to in session (one history row, with who is present).
    """
    if not by.has_perm("labels.open_meeting", meeting):
        raise PermissionDenied
    present = list({person.pk: person for person in members}.values())
    if any(not is_label_committee(person) for person in present):
        raise ActionRefused(_("Only members of the label committee can be present as members."))
    if len(present) < meeting.quorum:
        raise ActionRefused(
            _("No quorum: %(present)d member(s) present, %(quorum)d needed.")
            % {"present": len(present), "quorum": meeting.quorum}
        )
    meeting = transition(
        MEETING_WORKFLOW,
        obj=meeting,
        to_state=MeetingState.OPEN,
        by=by,
        data={"members_present": ", ".join(str(person.pk) for person in present)},
    )
    meeting.members_present.set(present)
    return meeting


@transaction.atomic
def meeting_close(*, meeting: Meeting, by: User) -> Meeting:
    """The office closes the meeting. Cases not decided stay awaiting a decision, for
    the next meeting. Side effects (``MEETING_WORKFLOW``): the minutes are rendered
    by the worker."""
    return transition(MEETING_WORKFLOW, obj=meeting, to_state=MeetingState.CLOSED, by=by)


def _in_session_with_quorum(item: AgendaItem) -> None:
    meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
    if meeting.state != MeetingState.OPEN:
        raise ActionRefused(_("Cases are decided while the meeting is in session."))
    if meeting.members_present.count() < meeting.quorum:
        raise ActionRefused(_("No quorum: no decision can be taken."))
    if Decision.objects.filter(application_id=item.application_id).exists():
        raise ActionRefused(_("This case has already been decided."))
    # Withdrawn, or returned to the assessors, since it was put on the agenda.
    if not Application.objects.filter(pk=item.application_id, state=ApplicationState.AWAITING_DECISION).exists():
        raise ActionRefused(_("Only cases awaiting a decision can be decided."))


@transaction.atomic
def proposal_make(
    *,
    item: AgendaItem,
    by: User,
    outcome: DecisionOutcome | str,
    reason: str = "",
    certificate_language: CertificateLanguage | str | None = None,
) -> AgendaItem:
    """The rapporteur (a member present who may judge the case) proposes its outcome.

    Award only when the assessment passes the level's rule; a refusal needs its
    reasons (the organisation reads them). Side effects: the item's move to proposed
    (one history row with the proposal).
    """
    if not by.has_perm("labels.propose_decision", item):
        raise PermissionDenied
    item = AgendaItem.objects.select_related("application__organisation", "application__report").get(pk=item.pk)
    _in_session_with_quorum(item)
    if outcome not in DecisionOutcome.values:
        raise ActionRefused(_("Propose to award or to refuse."))
    outcome = DecisionOutcome(outcome)
    report = getattr(item.application, "report", None)
    if outcome == DecisionOutcome.AWARDED and (report is None or not report.passed):
        raise ActionRefused(_("The assessment does not pass the level's rule: refuse with a reason instead."))
    if outcome == DecisionOutcome.REFUSED and not reason.strip():
        raise ActionRefused(_("Give the reason for refusing: the organisation will read it."))
    if certificate_language and certificate_language not in CertificateLanguage.values:
        raise ActionRefused(_("Choose English, or English and Serbian in Latin or Cyrillic script."))
    language = certificate_language or certificate_language_default(item.application.organisation)
    locked = AgendaItem.objects.select_for_update().get(pk=item.pk)
    if locked.state == AgendaItemState.PENDING:
        locked.outcome, locked.reason, locked.certificate_language = outcome, reason.strip()[:4000], language
        locked.rapporteur, locked.proposed_at = by, timezone.now()
        locked.save(update_fields=["outcome", "reason", "certificate_language", "rapporteur", "proposed_at"])
    return transition(
        AGENDA_WORKFLOW,
        obj=locked,
        to_state=AgendaItemState.PROPOSED,
        by=by,
        note=reason,
        data={"outcome": outcome, "application": item.application_id},
    )


@transaction.atomic
def proposal_approve(*, item: AgendaItem, by: User) -> Decision:
    """A second member present approves the rapporteur's proposal: the decision is
    recorded (``application_decide``), with its label and certificate on an award.

    Side effects: the item's move to decided; those of ``application_decide``.
    """
    if not by.has_perm("labels.approve_decision", item):
        raise PermissionDenied
    _in_session_with_quorum(item)
    item = transition(AGENDA_WORKFLOW, obj=item, to_state=AgendaItemState.APPROVED, by=by)
    return application_decide(
        application=item.application,
        by=by,
        outcome=DecisionOutcome(item.outcome),
        reason=item.reason,
        certificate_language=item.certificate_language or None,
    )


@transaction.atomic
def proposal_send_back(*, item: AgendaItem, by: User, reason: str) -> AgendaItem:
    """A second member does not approve: the proposal goes back, with why, to be
    proposed again. Side effects: the item's move to pending (one history row)."""
    if not by.has_perm("labels.approve_decision", item):
        raise PermissionDenied
    _in_session_with_quorum(item)
    return transition(AGENDA_WORKFLOW, obj=item, to_state=AgendaItemState.PENDING, by=by, note=reason)
