"""The allowed moves of a board meeting and of each case on its agenda: data, not code.

Permissions are checked against the meeting, or against the agenda item.
"""

from __future__ import annotations

from common.workflow import Move
from labels.enums import AgendaItemState as I
from labels.enums import MeetingState as M

MEETING_MOVES: dict[tuple[str, str], Move] = {
    (M.SCHEDULED, M.OPEN): Move("labels.open_meeting"),
    (M.OPEN, M.CLOSED): Move("labels.close_meeting"),
}

AGENDA_MOVES: dict[tuple[str, str], Move] = {
    # The rapporteur proposes the outcome, with reasons.
    (I.PENDING, I.PROPOSED): Move("labels.propose_decision"),
    # A second member present approves it: the decision is recorded then ...
    (I.PROPOSED, I.APPROVED): Move("labels.approve_decision"),
    # ... or sends it back to be proposed again, saying why.
    (I.PROPOSED, I.PENDING): Move("labels.approve_decision", note_required=True),
}
