"""Which steps of which cases are late, and who is late: read by the office's
queue of late steps and by the daily reminder sweep (``services.deadlines``).

Each step's deadline comes from ``common.scheme.case_deadlines()``: the expert
declares within so many working days of the assignment and scores within so
many days of declaring; the organisation answers by the question's due date;
the office checks quality within so many days of the report; the committee
decides within so many days of the case reaching it. Five queries whatever
the number of cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.enums import StaffRole
from accounts.models import User
from accounts.rules import is_assessor, is_label_committee, is_label_office
from accounts.selectors import people_with_role
from assessments.enums import CLOSED_STATES, ApplicationState, AssignmentState
from assessments.models import OPEN_CLARIFICATION, Application, Assignment, Clarification
from clusters.enums import MembershipRole
from clusters.models import Membership
from clusters.rules import current_roles_of
from common.scheme import add_working_days, case_deadlines

STEP_LABELS = {
    "declare": _("declare a conflict of interest"),
    "score": _("score the case"),
    "answer": _("answer the assessor's question"),
    "quality_check": _("check the quality of the report"),
    "decide": _("decide the case"),
}


@dataclass(frozen=True)
class LateStep:
    """One late step: the record it waits on, its deadline, and who should act."""

    step: str
    record_id: int
    application: Application
    deadline: date
    who: str
    people: list[User] = field(default_factory=list)
    assignment: Assignment | None = None
    clarification: Clarification | None = None

    @property
    def label(self) -> str:
        return str(STEP_LABELS[self.step])

    def days_late(self, today: date) -> int:
        return (today - self.deadline).days


def _day(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


def _expert_steps(
    today: date, *, late_only: bool = True, people: list[User] | None = None, countries: set[str] | None = None
) -> list[LateStep]:
    deadlines = case_deadlines()
    assignments = (
        Assignment.objects.filter(application__state__in=_EXPERT_STATES)
        .filter(state__in=[AssignmentState.PENDING, AssignmentState.ACCEPTED])
        .select_related("assessor", "application__organisation")
        .order_by("assigned_at", "pk")
    )
    if late_only:
        # A calendar-day bound the working-day deadline can only be later than: the database narrows, Python decides.
        earliest = timezone.now() - timedelta(days=deadlines.declare_working_days)
        assignments = assignments.filter(assigned_at__lt=earliest)
    if people is not None:
        assignments = assignments.filter(assessor__in=people)
    if countries is not None:
        assignments = assignments.filter(application__organisation__country__in=countries)
    steps = []
    for assignment in assignments:
        if assignment.state == AssignmentState.PENDING:
            deadline = add_working_days(timezone.localdate(assignment.assigned_at), deadlines.declare_working_days)
            step = "declare"
        elif assignment.application.state == ApplicationState.IN_ASSESSMENT and assignment.scores_submitted_at is None:
            declared = _day(assignment.declared_at) or timezone.localdate(assignment.assigned_at)
            deadline, step = declared + timedelta(days=deadlines.score_days), "score"
        else:
            continue
        if deadline < today or not late_only:
            steps.append(
                LateStep(
                    step=step,
                    record_id=assignment.pk,
                    application=assignment.application,
                    deadline=deadline,
                    who=assignment.assessor.get_full_name(),
                    people=[assignment.assessor],
                    assignment=assignment,
                )
            )
    return steps


_EXPERT_STATES = [ApplicationState.ASSESSOR_ASSIGNMENT, ApplicationState.IN_ASSESSMENT]


def _answer_steps(
    today: date,
    *,
    late_only: bool = True,
    people: list[User] | None = None,
    countries: set[str] | None = None,
    with_people: bool = True,
) -> list[LateStep]:
    managers = Membership.objects.filter(role=MembershipRole.MANAGER, left_at__isnull=True).select_related("user")
    clarifications = Clarification.objects.filter(OPEN_CLARIFICATION)
    if late_only:
        clarifications = clarifications.filter(due_on__lt=today)
    if people is not None:
        clarifications = clarifications.filter(
            application__organisation__memberships__user__in=people,
            application__organisation__memberships__role=MembershipRole.MANAGER,
            application__organisation__memberships__left_at__isnull=True,
        )
    if countries is not None:
        clarifications = clarifications.filter(application__organisation__country__in=countries)
    clarifications = (
        clarifications.exclude(application__state__in=CLOSED_STATES)
        .select_related("application__organisation")
        .order_by("due_on", "pk")
    )
    if with_people:
        clarifications = clarifications.prefetch_related(
            Prefetch("application__organisation__memberships", queryset=managers, to_attr="managers")
        )
    return [
        LateStep(
            step="answer",
            record_id=c.pk,
            application=c.application,
            deadline=c.due_on,
            who=str(_("%(org)s (its managers)") % {"org": c.application.organisation.name}),
            people=[m.user for m in getattr(c.application.organisation, "managers", [])],
            clarification=c,
        )
        for c in clarifications
    ]


_OFFICE_STATES = [ApplicationState.ASSESSED, ApplicationState.IN_QUALITY_CHECK]
_COMMITTEE_STATES = [ApplicationState.AWAITING_DECISION]


def _office_and_committee_steps(
    today: date,
    *,
    late_only: bool = True,
    states: list[ApplicationState] | None = None,
    countries: set[str] | None = None,
    with_people: bool = True,
) -> list[LateStep]:
    """The office's quality checks and the committee's decisions; ``states`` narrows
    the read to one body's cases, ``countries`` to a partner's."""
    deadlines = case_deadlines()
    states = states if states is not None else _OFFICE_STATES + _COMMITTEE_STATES
    applications = (
        Application.objects.filter(state__in=states)
        .select_related("organisation", "report")
        .order_by("state_changed_at", "pk")
    )
    if countries is not None:
        applications = applications.filter(organisation__country__in=countries)
    office = people_with_role(StaffRole.LABEL_OFFICE) if with_people and set(states) & set(_OFFICE_STATES) else []
    committee = (
        people_with_role(StaffRole.LABEL_COMMITTEE) if with_people and set(states) & set(_COMMITTEE_STATES) else []
    )
    steps = []
    for application in applications:
        report = getattr(application, "report", None)
        if application.state == ApplicationState.AWAITING_DECISION:
            since = _day(application.state_changed_at or application.submitted_at)
            step, days, who, people = "decide", deadlines.decide_days, _("the label committee"), committee
        else:
            # From the report's completion: taking the case into quality check does not restart the clock.
            since = _day((report.completed_at if report else None) or application.state_changed_at)
            step, days, who, people = "quality_check", deadlines.quality_check_days, _("the label office"), office
        if since is not None and (since + timedelta(days=days) < today or not late_only):
            steps.append(
                LateStep(
                    step=step,
                    record_id=application.pk,
                    application=application,
                    deadline=since + timedelta(days=days),
                    who=str(who),
                    people=list(people),
                )
            )
    return steps


def late_steps(
    today: date | None = None, *, countries: set[str] | None = None, with_people: bool = True
) -> list[LateStep]:
    """Every late step of every open case (of organisations in ``countries``, when
    given: a partner's queue reads its own countries' cases only), the longest late first.
    Without ``with_people`` the managers, the office and the committee to remind are not read
    (``people`` is left empty for those steps): a partner's queue shows the cases, never who is late."""
    today = today or timezone.localdate()
    steps = (
        _expert_steps(today, countries=countries)
        + _answer_steps(today, countries=countries, with_people=with_people)
        + _office_and_committee_steps(today, countries=countries, with_people=with_people)
    )
    return sorted(steps, key=lambda s: (s.deadline, s.step, s.record_id))


@dataclass(frozen=True)
class WaitingSteps:
    """The first steps waiting for a person (by deadline), how many wait in all, how many are late."""

    steps: list[LateStep]
    total: int
    late: int


def steps_waiting_for(person: User, today: date | None = None, limit: int | None = None) -> WaitingSteps:
    """Every open step this person is to take, late or not, the oldest deadline first (a work queue):
    the expert's declarations and scoring, the manager's answers, the office's quality checks and the
    committee's decisions; the first ``limit`` of them (all when None), and the counts of all.

    An expert's and a manager's own steps are few and read whole; the office's and the committee's
    are every case at their stage, so they are ordered, cut and counted in the database."""
    today = today or timezone.localdate()
    own: list[LateStep] = []
    # Only the kinds of step the person can have (the roles are read once per request): a
    # partner's or the office's start page reads no expert's or manager's steps.
    if is_assessor(person):
        own += _expert_steps(today, late_only=False, people=[person])
    if MembershipRole.MANAGER in current_roles_of(person).values():
        own += _answer_steps(today, late_only=False, people=[person])
    bodies = []
    if is_label_office(person):
        bodies.append(_first_body_steps(today, "quality_check", _OFFICE_STATES, limit))
    if is_label_committee(person):
        bodies.append(_first_body_steps(today, "decide", _COMMITTEE_STATES, limit))
    steps = sorted(own + [step for body in bodies for step in body.steps], key=_step_order)
    return WaitingSteps(
        steps=steps[:limit],
        total=len(own) + sum(body.total for body in bodies),
        late=sum(step.deadline < today for step in own) + sum(body.late for body in bodies),
    )


def _step_order(step: LateStep) -> tuple[date, str, int]:
    return (step.deadline, step.step, step.record_id)


def _first_body_steps(today: date, step: str, states: list[ApplicationState], limit: int | None) -> WaitingSteps:
    """The office's quality checks or the committee's decisions, as ``_office_and_committee_steps``
    dates them (from the report's completion, or from reaching the committee), the first ``limit``
    by deadline: one query for the rows shown and one for the counts, whatever the number of cases."""
    deadlines = case_deadlines()
    days = deadlines.decide_days if step == "decide" else deadlines.quality_check_days
    if step == "decide":
        since = Coalesce("state_changed_at", "submitted_at")
    else:
        since = Coalesce("report__completed_at", "state_changed_at")
    cases = Application.objects.filter(state__in=states).annotate(since_at=since).filter(since_at__isnull=False)
    # Late when the deadline (the day it started, plus the days allowed) is before today.
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=days), time.min))
    counts = cases.aggregate(total=Count("pk"), late=Count("pk", filter=Q(since_at__lt=cutoff)))
    first = (
        cases.annotate(since_day=TruncDate("since_at", tzinfo=timezone.get_current_timezone()))
        .select_related("organisation")
        .order_by("since_day", "pk")[:limit]
    )
    label = _("the label committee") if step == "decide" else _("the label office")
    steps = [
        LateStep(
            step=step,
            record_id=application.pk,
            application=application,
            deadline=application.since_day + timedelta(days=days),
            who=str(label),
        )
        for application in first
    ]
    return WaitingSteps(steps=steps, total=counts["total"], late=counts["late"])
