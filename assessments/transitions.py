"""The allowed moves of an application's state and who may make each: data, not code.

Every move goes through ``services.application_transition``, which checks this
table, locks the row and records the move; a few moves are made by the system
on someone's behalf (the last conflict declaration, the last clarification
answer), with that person as the actor.
"""

from __future__ import annotations

from assessments.enums import ApplicationState as S
from assessments.enums import AssignmentState as A
from assessments.enums import VersionStatus as V
from common.workflow import Move

# Permissions are checked against the application.
MOVES: dict[tuple[str, str], Move] = {
    (S.DRAFT, S.SUBMITTED): Move("assessments.submit_application"),
    (S.SUBMITTED, S.ASSESSOR_ASSIGNMENT): Move("assessments.assign_assessors"),
    (S.ASSESSOR_ASSIGNMENT, S.IN_ASSESSMENT): Move("assessments.declare_conflict"),
    # An assessor who declines hands the case back to the office.
    (S.IN_ASSESSMENT, S.ASSESSOR_ASSIGNMENT): Move("assessments.declare_conflict", note_required=True),
    (S.IN_ASSESSMENT, S.CLARIFICATION_REQUESTED): Move("assessments.score_application"),
    (S.CLARIFICATION_REQUESTED, S.IN_ASSESSMENT): Move("assessments.answer_clarification"),
    (S.IN_ASSESSMENT, S.ASSESSED): Move("assessments.score_application"),
    (S.ASSESSED, S.IN_QUALITY_CHECK): Move("assessments.check_quality"),
    (S.IN_QUALITY_CHECK, S.AWAITING_DECISION): Move("assessments.check_quality"),
    (S.IN_QUALITY_CHECK, S.IN_ASSESSMENT): Move("assessments.check_quality", note_required=True),
    (S.AWAITING_DECISION, S.AWARDED): Move("assessments.decide"),
    (S.AWAITING_DECISION, S.REFUSED): Move("assessments.decide", note_required=True),
    # A case whose expert was removed or whose declaration was voided returns to
    # the office from a question too (the system moves it, on the office's act).
    (S.CLARIFICATION_REQUESTED, S.ASSESSOR_ASSIGNMENT): Move("assessments.replace_assessor", note_required=True),
    # A draft idle past the configured time: archived by the system, readable, never edited again.
    (S.DRAFT, S.ARCHIVED): Move("assessments.archive_draft", note_required=True),
    # Withdrawn by the organisation at any point before a decision.
    **{
        (state, S.WITHDRAWN): Move("assessments.withdraw_application")
        for state in S
        if state not in (S.AWARDED, S.REFUSED, S.WITHDRAWN, S.ARCHIVED)
    },
}

# An expert's answer to an assignment; permissions are checked against the assignment.
ASSIGNMENT_MOVES: dict[tuple[str, str], Move] = {
    (A.PENDING, A.ACCEPTED): Move("assessments.answer_assignment"),
    (A.PENDING, A.DECLINED): Move("assessments.answer_assignment", note_required=True),
    # The office replaces an expert (one who never declares, or never scores), with a reason.
    (A.PENDING, A.REMOVED): Move("assessments.replace_assessor", note_required=True),
    (A.ACCEPTED, A.REMOVED): Move("assessments.replace_assessor", note_required=True),
    # A link to the organisation appeared after the assignment: the system voids it.
    (A.PENDING, A.VOIDED): Move("assessments.replace_assessor", note_required=True),
    (A.ACCEPTED, A.VOIDED): Move("assessments.replace_assessor", note_required=True),
}

# A questionnaire version's life; permissions are checked against the version.
VERSION_MOVES: dict[tuple[str, str], Move] = {
    (V.DRAFT, V.PUBLISHED): Move("assessments.publish_questionnaire"),
    (V.PUBLISHED, V.RETIRED): Move("assessments.publish_questionnaire"),
}
