"""Who may do what with applications (django-rules predicates)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeGuard

import rules

from accounts.rules import is_assessor, is_label_committee, is_label_office
from assessments.enums import ASSIGNABLE_STATES, CLOSED_STATES, ApplicationState, AssignmentState
from assessments.models import Assignment
from clusters.rules import (
    is_manager_of_cluster,
    is_manager_of_organisation_id,
    is_member_of_organisation_id,
    is_partner_for_country,
    is_partner_staff,
)
from common.enums import Level
from common.prepared import Prepared, knowing
from common.request_cache import cached

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from accounts.models import User
    from assessments.models import Application

DECIDABLE_STATES = (ApplicationState.AWAITING_DECISION, ApplicationState.AWARDED, ApplicationState.REFUSED)
DECIDED_STATES = (ApplicationState.AWARDED, ApplicationState.REFUSED)
# The pipeline: an application is in progress from its submission until it is
# decided or withdrawn. A draft is still the organisation's own work.
IN_PROGRESS_STATES = tuple(
    state for state in ApplicationState if state != ApplicationState.DRAFT and state not in CLOSED_STATES
)


@rules.predicate
def is_member_of_applicant(user: object, application: Application | None) -> bool:
    # By the foreign key: the organisation's row is not read for the question.
    return application is not None and is_member_of_organisation_id(user, application.organisation_id)


@rules.predicate
def is_manager_of_applicant(user: object, application: Application | None) -> bool:
    return application is not None and is_manager_of_organisation_id(user, application.organisation_id)


@rules.predicate
def is_draft(user: object, application: Application | None) -> bool:
    return getattr(application, "state", None) == ApplicationState.DRAFT


def _signed_in(user: object) -> TypeGuard[User]:
    return bool(getattr(user, "is_authenticated", False))


def assignments_of(user: object, application: Application | None) -> list[Assignment]:
    """The person's assignments on the case, in any state, oldest first: one read per
    request however many rules and panels ask (view, score, see the result, see the assessors)."""
    if application is None or application.pk is None or not _signed_in(user):
        return []
    return list(
        cached(
            ("assessments.assignments", user.pk, application.pk),
            lambda: knowing(_assignments_read.all(application.pk, user.pk), application=application),
            depends_on=("assessments.Assignment",),
        )
    )


def _assignments_query(application_id: int, user_id: int) -> QuerySet[Assignment]:
    return Assignment.objects.filter(application_id=application_id, assessor_id=user_id).order_by("assigned_at", "pk")


# Asked by every rule on every page of a case: compiled once per process.
_assignments_read: Prepared[Assignment] = Prepared(_assignments_query)


def _assignment_states(user: object, application: Application | None) -> set[str]:
    return {assignment.state for assignment in assignments_of(user, application)}


@rules.predicate
def is_assigned_assessor(user: object, application: Application | None) -> bool:
    """Assigned and declared free of conflicts: only then the case opens to them."""
    return AssignmentState.ACCEPTED in _assignment_states(user, application)


@rules.predicate
def awaits_declaration(user: object, application: Application | None) -> bool:
    return AssignmentState.PENDING in _assignment_states(user, application)


@rules.predicate
def is_before_committee(user: object, application: Application | None) -> bool:
    return getattr(application, "state", None) in DECIDABLE_STATES


@rules.predicate
def is_decided(user: object, application: Application | None) -> bool:
    return getattr(application, "state", None) in DECIDED_STATES


rules.add_perm("assessments.start_application", is_manager_of_cluster)
rules.add_perm(
    "assessments.view_application",
    is_member_of_applicant | is_label_office | is_assigned_assessor | (is_label_committee & is_before_committee),
)
rules.add_perm("assessments.edit_answers", is_member_of_applicant & is_draft)
rules.add_perm("assessments.submit_application", is_manager_of_applicant & is_draft)
rules.add_perm("assessments.withdraw_application", is_manager_of_applicant)
rules.add_perm("assessments.assign_assessors", is_label_office)


@rules.predicate
def awaits_assessors(user: object, application: Application | None) -> bool:
    return getattr(application, "state", None) in ASSIGNABLE_STATES


# What the case page offers: the permission and the state the service checks,
# in that order, in one place (the service refuses the other states with a reason).
rules.add_rule("assessments.may_assign_now", is_label_office & awaits_assessors)
rules.add_perm("assessments.declare_conflict", awaits_declaration | is_assigned_assessor)
rules.add_perm("assessments.score_application", is_assigned_assessor)
# Silver: the manager chooses the improvement areas while the case is a draft;
# the auditor (the case's expert) validates each one on site.
rules.add_perm("assessments.choose_improvement_areas", is_manager_of_applicant & is_draft)
rules.add_perm("assessments.validate_improvement_areas", is_assigned_assessor)


@rules.predicate
def is_assignment_expert(user: object, assignment: Assignment | None) -> bool:
    """The expert an assignment names: only they declare on it."""
    return _signed_in(user) and assignment is not None and assignment.assessor_id == user.pk


rules.add_perm("assessments.answer_assignment", is_assignment_expert)
rules.add_perm("assessments.answer_clarification", is_member_of_applicant)
rules.add_perm("assessments.check_quality", is_label_office)
rules.add_perm("assessments.publish_questionnaire", is_label_office)


@dataclass(frozen=True)
class Ties:
    """What keeps a person from judging cases: read once per request for every case a page
    shows (the board's agenda asks of each of its cases)."""

    assigned: frozenset[int]  # applications the person is or was assigned to, removals left out
    ever_assigned: frozenset[int]  # ... removals included (a declined expert declared a conflict)
    organisations: frozenset[int]  # organisations the person is or was a member of
    quality_checked: frozenset[int]  # applications the person moved into or out of the quality check


def ties_of(user: User) -> Ties:
    return cached(("assessments.ties", user.pk), lambda: _ties_read(user), depends_on=_TIES_SOURCES)


_TIES_SOURCES = ("assessments.Assignment", "clusters.Membership", "common.ActivityLog")


def _ties_read(user: User) -> Ties:
    from django.contrib.contenttypes.models import ContentType

    from assessments.models import Application, Assignment
    from clusters.models import Membership
    from common.models import ActivityLog

    assignments = list(Assignment.objects.filter(assessor=user).values_list("application_id", "state"))
    moves = ActivityLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Application, for_concrete_model=True),
        action="application.state",
        actor=user,
    ).values_list("object_id", "data")
    return Ties(
        assigned=frozenset(pk for pk, state in assignments if state != AssignmentState.REMOVED),
        ever_assigned=frozenset(pk for pk, _state in assignments),
        organisations=frozenset(Membership.objects.filter(user=user).values_list("organisation_id", flat=True)),
        quality_checked=frozenset(
            int(pk) for pk, data in moves if QUALITY_CHECK_STATES & set((data or {}).get("state") or [])
        ),
    )


@rules.predicate
def was_ever_assigned(user: object, application: Application | None) -> bool:
    return application is not None and _signed_in(user) and application.pk in ties_of(user).assigned


@rules.predicate
def was_linked_to_applicant(user: object, application: Application | None) -> bool:
    """Ever a member (manager or contributor) of the applicant, or ever assigned to
    the case (an expert who declined declared a conflict): such a person stays out of
    the board's deliberation of it (DOMAIN.md, "How the scheme is run")."""
    if application is None or not _signed_in(user):
        return False
    ties = ties_of(user)
    return application.organisation_id in ties.organisations or application.pk in ties.ever_assigned


QUALITY_CHECK_STATES = {ApplicationState.IN_QUALITY_CHECK.value}


@rules.predicate
def did_quality_check(user: object, application: Application | None) -> bool:
    """Moved the case into or out of the quality check (read from the one history):
    the reviewer never decides the case, even when holding a committee role too."""
    return application is not None and _signed_in(user) and application.pk in ties_of(user).quality_checked


# Four eyes and impartiality: whoever assessed the case, reviewed it in the quality
# check or is or was linked to the applicant never decides it (proposes or approves).
may_judge_case = is_label_committee & ~was_ever_assigned & ~was_linked_to_applicant & ~did_quality_check
rules.add_perm("assessments.decide", may_judge_case)
rules.add_perm("assessments.view_office_cases", is_label_office)
# Nothing stuck: the office replaces an expert, extends or closes a question, sees the late steps.
rules.add_perm("assessments.replace_assessor", is_label_office)
rules.add_perm("assessments.manage_clarifications", is_label_office)
rules.add_perm("assessments.view_late_steps", is_label_office)
rules.add_perm("assessments.archive_draft", is_label_office)
# Each expert keeps their own standing declarations (links to organisations).
rules.add_perm("assessments.manage_standing_declarations", is_assessor)
# The result (pass or not, the score, the summary, the report) stays with the
# office, the case's assessors and the committee until the committee decides;
# the organisation reads it with the decision, so nobody presses the board.
rules.add_perm(
    "assessments.view_result",
    is_label_office
    | is_assigned_assessor
    | (is_label_committee & is_before_committee)
    | (is_member_of_applicant & is_decided),
)
# Who assesses whom is known to the office and the case's own assessors only:
# the organisation cannot court or blame an expert, the committee judges the
# report, not its author (DOMAIN.md: assignments "must not leak who assesses whom").
rules.add_perm("assessments.view_assessors", is_label_office | is_assigned_assessor)


# --- The partners' pipeline ---------------------------------------------------------------------


@rules.predicate
def is_partner_for_applicant(user: object, application: Application | None) -> bool:
    return application is not None and bool(is_partner_for_country(user, application.organisation))


@rules.predicate
def is_in_progress(user: object, application: Application | None) -> bool:
    return getattr(application, "state", None) in IN_PROGRESS_STATES


# A national partner follows its countries' applications in progress: their
# state and the dates of each step, never answers, scores or who assesses
# (``assessments.pipeline``). Its list is scoped by the same rule
# (``pipeline_for``, held to it by tests/test_scope_agreement.py).
rules.add_perm("assessments.view_pipeline", is_partner_staff)
rules.add_perm("assessments.follow_application", is_partner_for_applicant & is_in_progress)


# --- Benchmarking report ------------------------------------------------------------------------

# A benchmarking counts as completed once its Bronze application is awarded: the
# assessor has scored every indicator, the office's quality check has passed and
# the committee has decided. Earlier states may still go back to assessment, and a
# refused case may have been refused because its answers were doubted, so neither
# feeds anyone's peer figures. The same states as Silver's "a Bronze benchmarking"
# (providers.latest_bronze_benchmarking).
BENCHMARKING_COMPLETED_STATES = (ApplicationState.AWARDED,)


@rules.predicate
def is_completed_benchmarking(user: object, application: Application | None) -> bool:
    return (
        getattr(application, "level", None) == Level.BRONZE
        and getattr(application, "state", None) in BENCHMARKING_COMPLETED_STATES
    )


# The organisation and its assessors read the report; the office, which sees every
# answer anyway, too. The committee decides on the assessment report, not this one.
rules.add_perm(
    "assessments.view_benchmarking",
    is_completed_benchmarking & (is_member_of_applicant | is_assigned_assessor | is_label_office),
)
