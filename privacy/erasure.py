"""Erasure on request (GDPR article 17) that keeps the record honest.

The label office processes a person's request, with the reason and the legal
basis. The account is closed and the person's name and e-mail address are
replaced by a stable pseudonym: in the account (so every page, the history
and the reports, which name people through their account, show the pseudonym)
and in the free text where they were copied (clarifications, reports,
decisions, organisation contacts, invitations). What the scheme must keep
(decisions, labels, the history, the scores: README "Personal data") stays,
pointing at the pseudonymised account, so every label still verifies and
every figure is unchanged. Notifications, roles, the assessor profile's
activity, login records and data exports go.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AssessorProfile, RoleGrant, User
from assessments.models import AssessmentReport, Clarification, Decision, Score
from clusters.models import ClusterOrganisation, Invitation, Membership, NameChangeRequest
from common.errors import ActionRefused
from common.models import Notification
from common.services import history_record
from labels.models import Label
from privacy.models import DataExport, Erasure
from privacy.retention import _files_delete_on_commit

ERASED_DOMAIN = "erased.invalid"
# Free text where a person's name or address may have been typed or copied.
TEXT_FIELDS: tuple[tuple[type[models.Model], tuple[str, ...]], ...] = (
    (Clarification, ("question", "answer")),
    (Score, ("comment", "recommendation")),
    (AssessmentReport, ("summary", "strengths")),
    (Decision, ("reason",)),
    (ClusterOrganisation, ("contact_name", "contact_email", "description")),
    (NameChangeRequest, ("reason", "decision_note")),
    (Label, ("revoke_reason",)),
)


def pseudonym_for(user: User) -> str:
    """The same pseudonym for the same person every time, revealing nothing without the secret key."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"erasure:{user.pk}".encode(), hashlib.sha256).hexdigest()
    return f"Person {digest[:10]}"


def _replace_in_text(identifiers: list[str], pseudonym: str) -> dict[str, list[int]]:
    """Put the pseudonym where an identifier was written into free text; return the records changed."""
    changed: dict[str, list[int]] = {}
    for model, fields in TEXT_FIELDS:
        match = models.Q()
        for field in fields:
            for identifier in identifiers:
                match |= models.Q(**{f"{field}__icontains": identifier})
        for obj in model._default_manager.filter(match):
            for field in fields:
                value = getattr(obj, field)
                for identifier in identifiers:
                    value = _replace_ci(value, identifier, pseudonym)
                setattr(obj, field, value)
            obj.save(update_fields=list(fields))
            changed.setdefault(model._meta.label, []).append(obj.pk)
    return changed


def _replace_ci(text: str, old: str, new: str) -> str:
    lowered, target, out, start = text.lower(), old.lower(), [], 0
    while (found := lowered.find(target, start)) != -1:
        out.append(text[start:found] + new)
        start = found + len(old)
    return "".join(out) + text[start:]


@transaction.atomic
def person_erase(*, user: User, reason: str, legal_basis: str, by: Any) -> Erasure:
    """Close ``user``'s account and replace their identity by a pseudonym everywhere.

    Side effects: the account renamed, closed and without a usable password
    (its sessions end with it); roles, notifications, login records and data
    exports deleted; memberships ended; the assessor profile inactive; the
    name and address replaced in free text; an ``Erasure`` record; one
    history row on the account (``person.erased``) listing what changed.
    """
    if not by.has_perm("privacy.erase_person"):
        raise PermissionDenied
    user = User.objects.select_for_update().get(pk=user.pk)
    if Erasure.objects.filter(user=user).exists():
        raise ActionRefused(_("This person's data has been erased already."))
    if not reason.strip() or not legal_basis.strip():
        raise ActionRefused(_("The reason and the legal basis are both needed."))
    identifiers = [i for i in (user.full_name.strip(), user.email) if len(i) >= 3]
    pseudonym = pseudonym_for(user)
    now = timezone.now()
    changed = _replace_in_text(identifiers, pseudonym)
    changed["clusters.Invitation"] = list(
        Invitation.objects.filter(email__iexact=user.email).values_list("pk", flat=True)
    )
    Invitation.objects.filter(pk__in=changed["clusters.Invitation"]).update(email=_address(pseudonym))
    deleted = {
        "notifications": Notification.objects.filter(user=user).delete()[0],
        "roles": RoleGrant.objects.filter(user=user).delete()[0],
        "login records": _login_records_delete(user.email),
    }
    exports = DataExport.objects.filter(user=user)
    _files_delete_on_commit([name for name in exports.values_list("file", flat=True) if name])
    deleted["data exports"] = exports.update(file="", downloaded_at=now)
    ended = Membership.objects.filter(user=user, left_at__isnull=True).update(left_at=now)
    AssessorProfile.objects.filter(user=user).update(is_active=False)
    user.full_name, user.email, user.is_active, user.is_staff, user.is_superuser = (
        pseudonym,
        _address(pseudonym),
        False,
        False,
        False,
    )
    user.set_unusable_password()
    user.save()
    erasure = Erasure.objects.create(
        user=user, pseudonym=pseudonym, reason=reason.strip(), legal_basis=legal_basis.strip(), processed_by=by
    )
    history_record(
        obj=user,
        action="person.erased",
        by=by,
        data={"erasure": erasure.pk, "deleted": deleted, "memberships ended": ended, "text replaced": changed},
        reason=f"{legal_basis.strip()}: {reason.strip()}",
    )
    return erasure


def _address(pseudonym: str) -> str:
    return f"{pseudonym.lower().replace(' ', '-')}@{ERASED_DOMAIN}"


def _login_records_delete(email: str) -> int:
    from axes.models import AccessAttempt

    count = AccessAttempt.objects.filter(username__iexact=email).delete()[0]
    for name in ("AccessFailureLog", "AccessLog"):
        from axes import models as axes_models

        if hasattr(axes_models, name):
            count += getattr(axes_models, name).objects.filter(username__iexact=email).delete()[0]
    return count
