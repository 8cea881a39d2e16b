"""The allowed moves of an application's state and who may make each: data, not code.

Every move goes through ``services.application_transition``, which checks this
table, locks the row and records the move; a few moves are made by the system
on someone's behalf (the last conflict declaration, the last clarification
answer), with that person as the actor.
"""

from __future__ import annotations

from dataclasses import dataclass

from assessments.enums import ApplicationState as S


@dataclass(frozen=True)
class Move:
    permission: str  # a django-rules permission checked against the application
    note_required: bool = False


MOVES: dict[tuple[S, S], Move] = {
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
    # Withdrawn by the organisation at any point before a decision.
    **{
        (state, S.WITHDRAWN): Move("assessments.withdraw_application")
        for state in S
        if state not in (S.AWARDED, S.REFUSED, S.WITHDRAWN)
    },
}
