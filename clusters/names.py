"""A new name for an organisation that holds or held a label: asked by its
managers, decided by its validator (the national partner for its country, or
the label office).

Labels name the organisation they were awarded to (``Label.awarded_name``), so
a new name is never the manager's own edit. Until the request is approved
nothing changes: the registry, the verification page, the API and the
certificates keep the names they show. Once approved, the organisation's name
changes; its labels keep the name they were awarded to, and credentials already
signed are never touched.

Organisations never labelled rename themselves in their profile
(``clusters.services.organisation_update``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from clusters.enums import NameChangeState
from clusters.models import ClusterOrganisation, NameChangeRequest
from clusters.services import managers_of, organisation_name_taken, validators_of
from clusters.transitions import NAME_CHANGE_MOVES
from common.errors import ActionRefused
from common.notify import notify
from common.services import history_record
from common.workflow import Arrival, Workflow, transition, workflow_register


def _refuse_duplicate(organisation: ClusterOrganisation, new_name: str) -> None:
    if organisation_name_taken(name=new_name, country=str(organisation.country), exclude=organisation):
        raise ActionRefused(
            _("Another organisation of %(country)s is already called “%(name)s”: choose another name.")
            % {"country": organisation.country.name, "name": new_name}
        )


@transaction.atomic
def name_change_request(
    *, organisation: ClusterOrganisation, new_name: str, reason: str, by: User
) -> NameChangeRequest:
    """A manager asks for a new name; the validator decides.

    Refused: an organisation no label names (it renames itself in its
    profile), no change, a missing reason, a name another organisation of the
    country has, a second pending request. Side effects: a history row
    ``organisation.name_change_requested`` on the organisation; after commit,
    the validators are told (a notification and an e-mail).
    """
    if not by.has_perm("clusters.request_name_change", organisation):
        raise PermissionDenied
    locked = ClusterOrganisation.objects.select_for_update().get(pk=organisation.pk)
    if not locked.labels.exists():
        raise ActionRefused(_("No label names this organisation: change its name in its profile."))
    new_name, reason = new_name.strip(), reason.strip()
    if not new_name or new_name == locked.name:
        raise ActionRefused(_("Enter a name other than the present one."))
    if not reason:
        raise ActionRefused(_("Please say why the name changes: the validator reads it."))
    _refuse_duplicate(locked, new_name)
    if locked.name_changes.filter(state=NameChangeState.PENDING).exists():
        raise ActionRefused(_("A new name is already waiting for validation: withdraw it first to ask for another."))
    try:
        with transaction.atomic():
            request = NameChangeRequest.objects.create(
                organisation=locked, current_name=locked.name, new_name=new_name, reason=reason, requested_by=by
            )
    except IntegrityError:  # a second click raced the first past the check above
        raise ActionRefused(
            _("A new name is already waiting for validation: withdraw it first to ask for another.")
        ) from None
    history_record(
        obj=locked,
        action="organisation.name_change_requested",
        by=by,
        data={"name": [locked.name, new_name], "request": request.pk},
        reason=reason,
    )
    transaction.on_commit(lambda: _tell_validators(request.pk))
    return request


@transaction.atomic
def name_change_approve(*, request: NameChangeRequest, by: User, note: str = "") -> NameChangeRequest:
    """The validator approves: the organisation takes the new name.

    The name is checked again under the organisation's lock (another
    organisation of the country may have taken it since the request). Labels
    keep the name they were awarded to. Side effects: the door's history row
    on the request; ``organisation.renamed`` (before, after, the request) on
    the organisation; after commit, the managers are told.
    """
    if not by.has_perm("clusters.decide_name_change", request):
        raise PermissionDenied
    organisation = ClusterOrganisation.objects.select_for_update().get(pk=request.organisation_id)
    _refuse_duplicate(organisation, request.new_name)
    decided = transition(NAME_CHANGE_WORKFLOW, obj=request, to_state=NameChangeState.APPROVED, by=by, note=note)
    before, organisation.name = organisation.name, decided.new_name
    organisation.save(update_fields=["name", "updated_at"])
    history_record(
        obj=organisation,
        action="organisation.renamed",
        by=by,
        data={"name": [before, organisation.name], "request": decided.pk},
        reason=decided.reason,
    )
    return decided


def name_change_refuse(*, request: NameChangeRequest, by: User, note: str) -> NameChangeRequest:
    """The validator refuses, saying why (the managers read it). The name stays.

    Side effects: the door's history row on the request; after commit, the managers are told.
    """
    return transition(NAME_CHANGE_WORKFLOW, obj=request, to_state=NameChangeState.REFUSED, by=by, note=note)


def name_change_withdraw(*, request: NameChangeRequest, by: User) -> NameChangeRequest:
    """A manager withdraws the request (to ask for another name, or none). Side effects: the door's history row."""
    return transition(NAME_CHANGE_WORKFLOW, obj=request, to_state=NameChangeState.WITHDRAWN, by=by)


def _decision_stamp(request: NameChangeRequest, from_state: str, to_state: str, note: str, by: Any) -> list[str]:
    request.decided_by = by if getattr(by, "pk", None) is not None else None
    request.decided_at = timezone.now()
    request.decision_note = note
    return ["decided_by", "decided_at", "decision_note"]


def _context_of(request_id: int) -> dict[str, Any] | None:
    request = NameChangeRequest.objects.select_related("organisation", "requested_by").filter(pk=request_id).first()
    if request is None:
        return None
    return {
        "name_change": request,
        "organisation": request.organisation,
        "url": reverse("clusters:organisation_detail", args=[request.organisation.slug]),
    }


def _tell_validators(request_id: int) -> None:
    context = _context_of(request_id)
    if context is None:
        return
    notify(
        people=validators_of(context["organisation"]),
        template="clusters/email/name_change_requested",
        context=context,
        url=context["url"],
    )


def _tell_managers_decided(arrival: Arrival) -> None:
    context = _context_of(arrival.pk)
    if context is None:
        return
    notify(
        people=[person for person in managers_of(context["organisation"]) if person.pk != arrival.by_id],
        template="clusters/email/name_change_decided",
        context=context,
        url=context["url"],
    )


NAME_CHANGE_WORKFLOW: Workflow[NameChangeRequest] = workflow_register(
    Workflow(
        name="name_change",
        model=NameChangeRequest,
        moves=NAME_CHANGE_MOVES,
        refusal=gettext_lazy("A request that is %(from)s cannot become %(to)s."),
        note_refusal=gettext_lazy("Please say why the new name is refused: the organisation will read it."),
        stamp=_decision_stamp,
        effects={
            NameChangeState.APPROVED: [_tell_managers_decided],
            NameChangeState.REFUSED: [_tell_managers_decided],
        },
    )
)
