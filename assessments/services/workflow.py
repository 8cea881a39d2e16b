"""The workflows of a case: an application's state and each expert's assignment.

The moves are data in ``assessments.transitions``; the door is
``common.workflow.transition``. What follows arriving in a state (who is told,
which task runs) is the effects table of each workflow below, run by the door
after commit: callers never add effects of their own.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.enums import StaffRole
from accounts.models import User
from accounts.selectors import people_with_role
from assessments.benchmarking.pdf import benchmarking_reports_refresh
from assessments.enums import ApplicationState, AssignmentState
from assessments.models import Application, Assignment
from assessments.reports import render_report
from assessments.transitions import ASSIGNMENT_MOVES, MOVES
from clusters.services import managers_of, partner_staff_of
from common.notify import notify
from common.workflow import Arrival, Workflow, workflow_register


def case_url(application: Application) -> str:
    return reverse("assessments:application_detail", args=[application.pk])


def _application(arrival: Arrival) -> Application | None:
    return Application.objects.select_related("organisation").filter(pk=arrival.pk).first()


def _tell(people: list[User], template: str, application: Application, **context: Any) -> None:
    notify(people=people, template=template, context={"application": application, **context}, url=case_url(application))


def _office_told_submitted(arrival: Arrival) -> None:
    if application := _application(arrival):
        _tell(people_with_role(StaffRole.LABEL_OFFICE), "assessments/email/submitted", application)


def _office_told_assessed(arrival: Arrival) -> None:
    if application := _application(arrival):
        _tell(people_with_role(StaffRole.LABEL_OFFICE), "assessments/email/assessed", application)


def _report_rendered(arrival: Arrival) -> None:
    render_report.delay(arrival.pk)


def _benchmarking_reports_rendered(arrival: Arrival) -> None:
    # A benchmarking reaching its final state has a report to render, and it joins every other
    # report's peers; any award may also move an organisation into another level group.
    benchmarking_reports_refresh()


def _committee_told(arrival: Arrival) -> None:
    if application := _application(arrival):
        _tell(people_with_role(StaffRole.LABEL_COMMITTEE), "assessments/email/awaiting_decision", application)


def _assessors_told_answered(arrival: Arrival) -> None:
    if application := _application(arrival):
        assessors = [
            a.assessor
            for a in application.assignments.filter(state=AssignmentState.ACCEPTED).select_related("assessor")
        ]
        _tell(assessors, "assessments/email/answered", application)


def _managers_told_decided(arrival: Arrival) -> None:
    application = _application(arrival)
    decision = getattr(application, "decision", None) if application else None
    if application is not None and decision is not None:
        _tell(managers_of(application.organisation), "assessments/email/decided", application, decision=decision)


def _partners_told_decided(arrival: Arrival) -> None:
    """The national partner hears of every award and refusal in its countries: the
    outcome only (no reason, no score), with a link to the organisation's page."""
    application = _application(arrival)
    decision = getattr(application, "decision", None) if application else None
    if application is None or decision is None:
        return
    managers = set(managers_of(application.organisation))
    partners = [person for person in partner_staff_of(application.organisation) if person not in managers]
    notify(
        people=partners,
        template="assessments/email/partner_decided",
        context={"application": application, "decision": decision},
        url=reverse("clusters:organisation_detail", args=[application.organisation.slug]),
    )


def _submitted_stamp(application: Application, from_state: str, to_state: str, note: str, by: Any) -> list[str]:
    # Every move dates the state: the deadline of the step the case now waits in counts from it.
    application.state_changed_at = timezone.now()
    if to_state != ApplicationState.SUBMITTED:
        return ["state_changed_at"]
    application.submitted_at = application.state_changed_at
    organisation = application.organisation
    application.peer_basis = {
        "country": organisation.country.code,
        "sectors": sorted(organisation.sectors.values_list("pk", flat=True)),
    }
    return ["submitted_at", "peer_basis", "state_changed_at"]


APPLICATION_WORKFLOW: Workflow[Application] = workflow_register(
    Workflow(
        name="application",
        model=Application,
        moves=MOVES,
        refusal=gettext_lazy("An application that is %(from)s cannot become %(to)s."),
        stamp=_submitted_stamp,
        effects={
            ApplicationState.SUBMITTED: [_office_told_submitted],
            (ApplicationState.CLARIFICATION_REQUESTED, ApplicationState.IN_ASSESSMENT): [_assessors_told_answered],
            ApplicationState.ASSESSED: [_office_told_assessed, _report_rendered],
            ApplicationState.AWAITING_DECISION: [_committee_told],
            ApplicationState.AWARDED: [_managers_told_decided, _partners_told_decided, _benchmarking_reports_rendered],
            ApplicationState.REFUSED: [_managers_told_decided, _partners_told_decided],
        },
    )
)


def _office_told_declined(arrival: Arrival) -> None:
    assignment = Assignment.objects.select_related("application__organisation").filter(pk=arrival.pk).first()
    if assignment is not None:
        _tell(people_with_role(StaffRole.LABEL_OFFICE), "assessments/email/declined", assignment.application)


def _assignment(arrival: Arrival) -> Assignment | None:
    return Assignment.objects.select_related("application__organisation", "assessor").filter(pk=arrival.pk).first()


def _office_told_voided(arrival: Arrival) -> None:
    # Only the office hears why: who assesses whom, and their links, stay with it.
    if assignment := _assignment(arrival):
        _tell(
            people_with_role(StaffRole.LABEL_OFFICE),
            "assessments/email/conflict_voided",
            assignment.application,
            assignment=assignment,
            reason=arrival.note,
        )


def _expert_told_ended(arrival: Arrival) -> None:
    # The expert loses the case: told that it ended, with no link that would open it.
    if assignment := _assignment(arrival):
        notify(
            people=[assignment.assessor],
            template="assessments/email/assignment_ended",
            context={"application": assignment.application, "assignment": assignment},
            url=reverse("accounts:assessor_start"),
        )


def _declaration_stamp(assignment: Assignment, from_state: str, to_state: str, note: str, by: Any) -> list[str]:
    if to_state in (AssignmentState.REMOVED, AssignmentState.VOIDED):
        # The expert's own declaration stays as it was; the reason is the move's note in the history.
        return []
    assignment.declared_at = timezone.now()
    assignment.decline_reason = note if to_state == AssignmentState.DECLINED else ""
    return ["declared_at", "decline_reason"]


ASSIGNMENT_WORKFLOW: Workflow[Assignment] = workflow_register(
    Workflow(
        name="assignment",
        model=Assignment,
        moves=ASSIGNMENT_MOVES,
        refusal=gettext_lazy("You have already answered this assignment."),
        note_refusal=gettext_lazy("Please say why you decline; only the label office sees it."),
        stamp=_declaration_stamp,
        effects={
            AssignmentState.DECLINED: [_office_told_declined],
            AssignmentState.VOIDED: [_office_told_voided, _expert_told_ended],
            AssignmentState.REMOVED: [_expert_told_ended],
        },
    )
)
