"""The allowed moves of an organisation's state, and who may make each: data, not code."""

from __future__ import annotations

from dataclasses import dataclass

from clusters.enums import OrganisationState as S


@dataclass(frozen=True)
class Move:
    permission: str  # a django-rules permission checked against the organisation
    note_required: bool = False


MOVES: dict[tuple[S, S], Move] = {
    (S.DRAFT, S.PENDING): Move("clusters.submit_organisation"),
    (S.PENDING, S.ACTIVE): Move("clusters.validate_organisation"),
    # Refusal sends the profile back for correction, with a reason the applicant sees.
    (S.PENDING, S.DRAFT): Move("clusters.validate_organisation", note_required=True),
    (S.ACTIVE, S.INACTIVE): Move("clusters.deactivate_organisation", note_required=True),
    (S.INACTIVE, S.ACTIVE): Move("clusters.deactivate_organisation"),
}
