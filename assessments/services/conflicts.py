"""Impartiality checked continuously, not once: an expert's standing declarations
(links to organisations, with their history), and the voiding of an assignment
when a link appears after it (the expert joins the organisation, or declares a
link to it). Only the office hears why; the organisation hears nothing.

``clusters`` knows nothing of assessments: a new or changed membership reaches
here through a ``post_save`` receiver connected in ``AssessmentsConfig.ready``
(the upper app reacts to the lower one, as ARCHITECTURE.md says).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assessments.enums import ACTIVE_ASSIGNMENT_STATES, CLOSED_STATES, AssignmentState
from assessments.models import Application, Assignment, StandingDeclaration
from assessments.services.applications import case_back_to_assignment
from assessments.services.workflow import ASSIGNMENT_WORKFLOW
from clusters.models import ClusterOrganisation, Membership
from common.errors import ActionRefused
from common.request_cache import forget
from common.services import history_record
from common.workflow import transition


def assignments_void_for_link(*, assessor_id: int, organisation_id: int, why: str) -> list[Assignment]:
    """End every active assignment of the expert to the organisation's open cases:
    a link that appeared after the assignment voids the declaration.

    The system makes the moves (``by`` None). Side effects: the assignments
    become voided (history rows with ``why``); a case in assessment returns to
    assessor assignment; the office and the expert are told (effects of
    ``ASSIGNMENT_WORKFLOW``).
    """
    voided = []
    assignments = Assignment.objects.filter(
        assessor_id=assessor_id,
        application__organisation_id=organisation_id,
        state__in=ACTIVE_ASSIGNMENT_STATES,
    ).exclude(application__state__in=CLOSED_STATES)
    for assignment in assignments:
        application = Application.objects.select_for_update().get(pk=assignment.application_id)
        forget()  # rules answer from rows read under the lock, not earlier in the request
        voided.append(
            transition(ASSIGNMENT_WORKFLOW, obj=assignment, to_state=AssignmentState.VOIDED, by=None, note=why)
        )
        history_record(
            obj=application, action="assignment.voided", by=None, data={"assignment": assignment.pk}, reason=why
        )
        # Neutral for the applicant, who reads the case's moves: why is the office's to know.
        case_back_to_assignment(application=application, note=_("An expert was replaced."))
    return voided


def assignments_recheck() -> int:
    """The daily safety net: void every active assignment whose expert is now a
    current member of the organisation or has a declaration in force naming it,
    however the link came (a link recorded before this check existed, a row
    written around the services). Returns how many were voided.

    Side effects: those of ``assignments_void_for_link``.
    """
    member = Membership.objects.filter(
        organisation=OuterRef("application__organisation"), user=OuterRef("assessor"), left_at__isnull=True
    )
    declared = StandingDeclaration.objects.filter(
        organisation=OuterRef("application__organisation"), assessor=OuterRef("assessor"), withdrawn_at__isnull=True
    )
    linked = (
        Assignment.objects.filter(state__in=ACTIVE_ASSIGNMENT_STATES)
        .exclude(application__state__in=CLOSED_STATES)
        .filter(Q(Exists(member)) | Q(Exists(declared)))
        .values_list("assessor_id", "application__organisation_id")
        .distinct()
    )
    voided = 0
    for assessor_id, organisation_id in list(linked):
        with transaction.atomic():
            voided += len(
                assignments_void_for_link(
                    assessor_id=assessor_id,
                    organisation_id=organisation_id,
                    why=_("The daily check found a link between the expert and the organisation."),
                )
            )
    return voided


def membership_recheck(sender: Any, instance: Membership, **kwargs: Any) -> None:
    """``post_save`` receiver of ``Membership``: a current member or manager of an
    organisation never assesses it, whenever the membership began."""
    if kwargs.get("raw") or instance.left_at is not None:
        return
    with transaction.atomic():
        assignments_void_for_link(
            assessor_id=instance.user_id,
            organisation_id=instance.organisation_id,
            why=_("The expert became a %(role)s of the organisation after the assignment.")
            % {"role": instance.get_role_display().lower()},
        )


@transaction.atomic
def standing_declaration_add(
    *, by: User, organisation: ClusterOrganisation, kind: str, note: str = ""
) -> StandingDeclaration:
    """An expert declares a standing link to an organisation. From then on the
    office cannot assign them to its cases, and a current assignment to one ends.

    Side effects: history row; voided assignments (see ``assignments_void_for_link``).
    """
    if not by.has_perm("assessments.manage_standing_declarations"):
        raise PermissionDenied
    if kind not in StandingDeclaration.Kind.values:
        raise ActionRefused(_("Choose what links you to the organisation."))
    if StandingDeclaration.objects.filter(
        assessor=by, organisation=organisation, kind=kind, withdrawn_at__isnull=True
    ).exists():
        raise ActionRefused(_("You have already declared this link."))
    declaration = StandingDeclaration.objects.create(
        assessor=by, organisation=organisation, kind=kind, note=note.strip()[:500]
    )
    history_record(
        obj=declaration,
        action="standing_declaration.added",
        by=by,
        data={"organisation": organisation.pk, "kind": kind},
    )
    assignments_void_for_link(
        assessor_id=by.pk,
        organisation_id=organisation.pk,
        why=_("The expert declared a link to the organisation: %(kind)s.") % {"kind": declaration.get_kind_display()},
    )
    return declaration


@transaction.atomic
def standing_declaration_withdraw(*, declaration: StandingDeclaration, by: User) -> StandingDeclaration:
    """The expert withdraws a declaration that no longer holds; the row stays as history.

    Side effects: history row.
    """
    if not by.has_perm("assessments.manage_standing_declarations") or declaration.assessor_id != by.pk:
        raise PermissionDenied
    declaration = StandingDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.withdrawn_at is not None:
        return declaration  # a double click changes nothing
    declaration.withdrawn_at = timezone.now()
    declaration.save(update_fields=["withdrawn_at"])
    history_record(obj=declaration, action="standing_declaration.withdrawn", by=by, data={})
    return declaration
