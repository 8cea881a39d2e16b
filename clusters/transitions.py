"""The allowed moves of an organisation's state, and who may make each: data, not code."""

from __future__ import annotations

from clusters.enums import InvitationState as I
from clusters.enums import NameChangeState as N
from clusters.enums import OrganisationState as S
from common.workflow import Move

# Permissions are checked against the organisation.
MOVES: dict[tuple[str, str], Move] = {
    (S.DRAFT, S.PENDING): Move("clusters.submit_organisation"),
    (S.PENDING, S.ACTIVE): Move("clusters.validate_organisation"),
    # Refusal sends the profile back for correction, with a reason the applicant sees.
    (S.PENDING, S.DRAFT): Move("clusters.validate_organisation", note_required=True),
    (S.ACTIVE, S.INACTIVE): Move("clusters.deactivate_organisation", note_required=True),
    (S.INACTIVE, S.ACTIVE): Move("clusters.deactivate_organisation"),
}

# Permissions are checked against the invitation.
INVITATION_MOVES: dict[tuple[str, str], Move] = {
    (I.PENDING, I.ACCEPTED): Move("clusters.accept_invitation"),
    (I.PENDING, I.REVOKED): Move("clusters.revoke_invitation"),
}

# Permissions are checked against the name change request.
NAME_CHANGE_MOVES: dict[tuple[str, str], Move] = {
    (N.PENDING, N.APPROVED): Move("clusters.decide_name_change"),
    # A refusal says why: the managers read it.
    (N.PENDING, N.REFUSED): Move("clusters.decide_name_change", note_required=True),
    (N.PENDING, N.WITHDRAWN): Move("clusters.withdraw_name_change"),
}
