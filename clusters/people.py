"""Services of an organisation's people: memberships (roles, leaving) and invitations.

The organisation's own profile, state and waivers are ``clusters.services``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from clusters.enums import InvitationState, MembershipRole
from clusters.models import (
    ClusterOrganisation,
    Invitation,
    Membership,
)
from clusters.transitions import INVITATION_MOVES
from common.errors import ActionRefused
from common.mail import send_templated_mail
from common.services import history_record
from common.workflow import Workflow, transition, workflow_register

INVITATION_SALT = "clusters.invitation"


# --- Memberships ------------------------------------------------------------------


def membership_add(*, organisation: ClusterOrganisation, user: User, role: MembershipRole) -> Membership:
    """Make a person a current member; an existing current membership keeps its row, takes the role."""
    membership, created = Membership.objects.get_or_create(
        organisation=organisation, user=user, left_at__isnull=True, defaults={"role": role}
    )
    if created:
        history_record(
            obj=organisation, action="organisation.member_added", by=None, data={"person": user.pk, "role": role}
        )
    elif membership.role != role:
        before, membership.role = membership.role, role
        membership.save(update_fields=["role"])
        history_record(
            obj=organisation,
            action="organisation.member_role",
            by=None,
            data={"person": user.pk, "role": [before, role]},
        )
    return membership


def _lock_current_memberships(organisation_id: int) -> list[Membership]:
    return list(
        Membership.objects.select_for_update()
        .filter(organisation_id=organisation_id, left_at__isnull=True)
        .order_by("pk")
    )


def _refuse_if_last_manager(memberships: list[Membership], leaving: Membership) -> None:
    managers = [m for m in memberships if m.role == MembershipRole.MANAGER]
    if leaving.role == MembershipRole.MANAGER and [m.pk for m in managers] == [leaving.pk]:
        raise ActionRefused(
            _(
                "%(name)s is the last manager: make someone else a manager first, "
                "so the organisation is never left without one."
            )
            % {"name": leaving.user.get_full_name()}
        )


@transaction.atomic
def membership_set_role(*, membership: Membership, role: MembershipRole, by: User) -> Membership:
    """A manager changes a colleague's role; the last manager cannot be demoted. Side effects: none."""
    if not by.has_perm("clusters.manage_people", membership.organisation):
        raise PermissionDenied
    memberships = _lock_current_memberships(membership.organisation_id)
    current = next((m for m in memberships if m.pk == membership.pk), None)
    if current is None:
        raise ActionRefused(_("This person no longer belongs to the organisation."))
    if role != MembershipRole.MANAGER:
        _refuse_if_last_manager(memberships, current)
    before, current.role = current.role, role
    current.save(update_fields=["role"])
    history_record(
        obj=current.organisation,
        action="organisation.member_role",
        by=by,
        data={"person": current.user_id, "role": [before, role]},
    )
    return current


@transaction.atomic
def membership_end(*, membership: Membership, by: User) -> None:
    """A person leaves, or a manager removes them. The row stays (``left_at``),
    because a former member must never assess the organisation. The last manager
    can neither leave nor be removed. Side effects: none."""
    if by.pk != membership.user_id and not by.has_perm("clusters.manage_people", membership.organisation):
        raise PermissionDenied
    memberships = _lock_current_memberships(membership.organisation_id)
    current = next((m for m in memberships if m.pk == membership.pk), None)
    if current is None:
        return  # already gone: a double click changes nothing
    _refuse_if_last_manager(memberships, current)
    current.left_at = timezone.now()
    current.save(update_fields=["left_at"])
    history_record(obj=current.organisation, action="organisation.member_left", by=by, data={"person": current.user_id})


# --- Invitations ------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT, compress=True)


def invitation_expires_at(invitation: Invitation) -> Any:
    return invitation.created_at + timedelta(days=settings.INVITATION_VALID_DAYS)


@transaction.atomic
def invitation_send(*, organisation: ClusterOrganisation, email: str, role: MembershipRole, by: User) -> Invitation:
    """Invite a colleague by e-mail. Inviting the same address again renews the
    pending invitation (new link, new 7 days) instead of adding a second one.

    Side effects: an e-mail with a signed link, after commit.
    """
    if not by.has_perm("clusters.manage_people", organisation):
        raise PermissionDenied
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email, left_at__isnull=True).exists():
        raise ActionRefused(_("%(email)s already belongs to the organisation.") % {"email": email})
    invitation = (
        Invitation.objects.select_for_update()
        .filter(organisation=organisation, email__iexact=email, state=InvitationState.PENDING)
        .first()
    )
    if invitation is None:
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(organisation=organisation, email=email, role=role, invited_by=by)
        except IntegrityError:  # the same invitation, a moment earlier (double click)
            raise ActionRefused(_("An invitation to %(email)s has just been sent.") % {"email": email}) from None
    else:
        invitation.role, invitation.invited_by, invitation.created_at = role, by, timezone.now()
        invitation.save(update_fields=["role", "invited_by", "created_at"])
    transaction.on_commit(lambda: _mail_invitation(invitation.pk))
    # The address stays on the invitation row, which erasure can reach; the history names the row.
    history_record(
        obj=organisation, action="organisation.invited", by=by, data={"invitation": invitation.pk, "role": role}
    )
    return invitation


def _mail_invitation(invitation_id: int) -> None:
    invitation = Invitation.objects.select_related("organisation", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or invitation.state != InvitationState.PENDING:
        return
    language = getattr(invitation.invited_by, "preferred_language", None)
    send_templated_mail(
        to=[invitation.email],
        template="clusters/email/invitation",
        context={
            "invitation": invitation,
            "url": reverse("clusters:invitation_accept", args=[invitation_token(invitation)]),
            "expires_at": invitation_expires_at(invitation),
        },
        language=language,
    )


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link points to, or ``ActionRefused`` saying why it no longer works."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT)
    except signing.BadSignature:
        raise ActionRefused(_("This invitation link is not valid. Check that you copied all of it.")) from None
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by").filter(pk=data.get("invitation")).first()
    )
    if invitation is None or invitation.state == InvitationState.REVOKED:
        raise ActionRefused(_("This invitation was withdrawn. Ask the organisation's manager for a new one."))
    if invitation.state == InvitationState.ACCEPTED:
        raise ActionRefused(_("This invitation has already been used."))
    if timezone.now() > invitation_expires_at(invitation):
        raise ActionRefused(
            _("This invitation expired on %(date)s. Ask the organisation's manager to send a new one.")
            % {"date": invitation_expires_at(invitation).date().isoformat()}
        )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Join the organisation with the invited role; the link then stops working.

    The signed-in person must be the one invited (same e-mail), else
    ``PermissionDenied``. Side effects: none.
    """
    invitation = invitation_from_token(token)
    # The permission first: only the invited person (the same address) learns more about the invitation.
    if not user.has_perm("clusters.accept_invitation", invitation):
        raise PermissionDenied
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state != InvitationState.PENDING:  # a concurrent click got there first
        raise ActionRefused(_("This invitation has already been used."))
    membership = membership_add(organisation=invitation.organisation, user=user, role=MembershipRole(invitation.role))
    invitation = transition(INVITATION_WORKFLOW, obj=invitation, to_state=InvitationState.ACCEPTED, by=user)
    history_record(
        obj=invitation.organisation,
        action="organisation.invitation_accepted",
        by=user,
        data={"invitation": invitation.pk, "person": user.pk, "role": invitation.role},
    )
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> None:
    """A manager takes back a pending invitation. Side effects: a history row (once, however often clicked)."""
    if not by.has_perm("clusters.revoke_invitation", invitation):
        raise PermissionDenied
    current = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if current.state != InvitationState.PENDING:
        return  # a second click, or the invitation was used in between: nothing left to take back
    transition(INVITATION_WORKFLOW, obj=current, to_state=InvitationState.REVOKED, by=by)
    history_record(
        obj=invitation.organisation,
        action="organisation.invitation_revoked",
        by=by,
        data={"invitation": invitation.pk},
    )


def _accepted_stamp(invitation: Invitation, from_state: str, to_state: str, note: str, by: Any) -> list[str]:
    if to_state != InvitationState.ACCEPTED:
        return []
    invitation.accepted_at, invitation.accepted_by = timezone.now(), by
    return ["accepted_at", "accepted_by"]


INVITATION_WORKFLOW: Workflow[Invitation] = workflow_register(
    Workflow(
        name="invitation",
        model=Invitation,
        moves=INVITATION_MOVES,
        refusal=gettext_lazy("An invitation that is %(from)s cannot become %(to)s."),
        stamp=_accepted_stamp,
    )
)
