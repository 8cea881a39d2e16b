"""The allowed moves of an application's state and who may make each: data, not code.

The assessment workflow (assignment, scoring, decision) adds its moves here.
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
    # Withdrawn by the organisation at any point before a decision.
    **{
        (state, S.WITHDRAWN): Move("assessments.withdraw_application")
        for state in S
        if state not in (S.AWARDED, S.REFUSED, S.WITHDRAWN)
    },
}
