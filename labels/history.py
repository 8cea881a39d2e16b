"""Reads of the one history (common.ActivityLog) for the history page: whose
history a person may read, and how each entry is shown to them.

It lives in labels, the app that knows every kind of record: organisations,
applications, labels and people. The office reads everything. An
organisation's people and the partner for its country read the history of
that organisation, its applications and its labels, but not the assessors'
deliberations, and see the scheme's people by their role, never by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.enums import StaffRole
from accounts.models import AssessorProfile, RoleGrant, User
from accounts.rules import is_label_office
from assessments.enums import ApplicationState
from assessments.models import Application
from clusters.enums import NameChangeState, OrganisationState
from clusters.models import ClusterOrganisation, Membership, NameChangeRequest, PartnerStaff
from common.models import ActivityLog
from common.selectors import history_of
from labels.models import Label

HISTORY_KINDS: dict[str, type[models.Model]] = {
    "organisation": ClusterOrganisation,
    "application": Application,
    "label": Label,
    "person": User,
}

# What the assessors weigh, the result before the board decides, and why an expert left
# a case (a conflict that appeared, the office's reason for a replacement): the office's only.
DELIBERATIONS = frozenset(
    {
        "assignment.declared",
        "assignment.removed",
        "assignment.voided",
        "application.scores",
        "application.scores_submitted",
        "application.report",
        # The auditor's verdict on a Silver area is part of the result, read with the decision.
        "application.area_validated",
    }
)

ACTION_TITLES: dict[str, Promise] = {
    "organisation.created": _("Created"),
    "organisation.state": _("State changed"),
    "organisation.profile": _("Profile edited"),
    # The office's correction of a printed name, or a new name its validator approved.
    "organisation.renamed": _("Name changed"),
    "organisation.name_change_requested": _("New name asked for"),
    "name_change.state": _("New name decided"),
    "organisation.waiver_granted": _("Criterion waived"),
    "organisation.waiver_withdrawn": _("Waiver withdrawn"),
    "organisation.member_added": _("Member added"),
    "organisation.member_role": _("Member's role changed"),
    "organisation.member_left": _("Member left"),
    "organisation.invited": _("Invitation sent"),
    "organisation.invitation_accepted": _("Invitation accepted"),
    "organisation.invitation_revoked": _("Invitation withdrawn"),
    "application.created": _("Application started"),
    "application.state": _("State changed"),
    "application.answer": _("Answer saved"),
    "application.evidence_added": _("Evidence added"),
    "application.evidence_removed": _("Evidence removed"),
    "assignment.created": _("Assessors assigned"),
    "assignment.declared": _("Conflict of interest declared"),
    "assignment.removed": _("Expert replaced by the office"),
    "assignment.voided": _("Assignment ended by a conflict of interest"),
    "application.scores": _("Scores saved"),
    "application.scores_submitted": _("Own scores handed in"),
    "application.question": _("Question asked"),
    "application.answer_to_question": _("Question answered"),
    "application.question_extended": _("Question's due date extended"),
    "application.question_closed": _("Question closed unanswered"),
    "application.report": _("Assessment completed"),
    "application.decided": _("Decided"),
    "application.improvement_areas": _("Improvement areas chosen"),
    "application.area_validated": _("Improvement area validated on site"),
    "label.created": _("Label created"),
    "label.superseded": _("Replaced by a newer label"),
    "label.revoked": _("Revoked"),
    "label.reinstated": _("Reinstated"),
    "label.restored": _("Current again: the label that replaced it was revoked"),
    "label.corrected": _("Corrected"),
    "label.certificate": _("Certificate language"),
    "person.role_granted": _("Role granted"),
    "person.role_revoked": _("Role taken away"),
}

# The values of these changes are states: shown by their names in the reader's language.
STATE_VOCABULARY: dict[str, type[models.TextChoices]] = {
    "application.state": ApplicationState,
    "organisation.state": OrganisationState,
    "name_change.state": NameChangeState,
}

ROLE_NAMES: dict[str, Promise] = {
    "office": _("The label office"),
    "committee": _("The label committee"),
    "assessor": _("An assessor"),
    "partner": _("The national partner"),
    "other": _("Someone of the scheme"),
}


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    action: str
    title: str
    who: str
    changes: list[tuple[str, str, str]]
    reason: str


def history_subject(kind: str, pk: int) -> models.Model:
    model = HISTORY_KINDS.get(kind)
    if model is None:
        raise Http404
    subject = model._default_manager.filter(pk=pk).first()
    if subject is None:
        raise Http404
    return subject


def organisation_of(subject: models.Model) -> ClusterOrganisation | None:
    """The organisation whose history this is part of (None for a person)."""
    if isinstance(subject, ClusterOrganisation):
        return subject
    if isinstance(subject, Application | Label):
        return subject.organisation
    return None


def history_entries(
    subject: models.Model,
    *,
    viewer: User,
    actor_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[ActivityLog]:
    """The entries of ``subject`` the viewer may read, newest first, filtered by who and when.

    A person's history is what they did and what was done to their account.
    """
    if isinstance(subject, User):
        entries = ActivityLog.objects.filter(
            models.Q(actor=subject) | models.Q(pk__in=history_of(subject).values("pk"))
        )
    elif isinstance(subject, ClusterOrganisation):
        # A new name's decision is recorded on its request (the door's row): the organisation's history shows it.
        entries = history_of(subject) | ActivityLog.objects.filter(
            content_type=ContentType.objects.get_for_model(NameChangeRequest),
            object_id__in=subject.name_changes.values("pk"),
        )
    else:
        entries = history_of(subject)
    if not is_label_office(viewer):
        entries = entries.exclude(action__in=DELIBERATIONS)
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if since is not None:
        entries = entries.filter(at__date__gte=since)
    if until is not None:
        entries = entries.filter(at__date__lte=until)
    return entries.order_by("-at", "-id")


def history_rows(entries: Iterable[ActivityLog], *, names: Mapping[int, str]) -> list[HistoryRow]:
    """The entries as the viewer reads them, with the names ``history_names`` gave."""
    return [
        HistoryRow(
            at=entry.at,
            action=entry.action,
            title=str(ACTION_TITLES.get(entry.action, entry.action)),
            who=names.get(entry.actor_id, "") if entry.actor_id else str(_("The portal")),
            changes=_changes(entry.data, STATE_VOCABULARY.get(entry.action)),
            reason=entry.reason,
        )
        for entry in entries
    ]


def _changes(data: Mapping[str, Any], states: type[models.TextChoices] | None) -> list[tuple[str, str, str]]:
    """``{"field": [before, after]}`` as rows; other values as they are; states by their names."""

    def shown(field: str, value: object) -> str:
        if field == "state" and states is not None and value in states.values:
            return str(states(value).label)
        return str(value)

    rows = []
    for field, value in data.items():
        if field == "carried_from":
            continue
        if isinstance(value, list) and len(value) == 2:
            rows.append((field, shown(field, value[0]), shown(field, value[1])))
        else:
            rows.append((field, "", shown(field, value)))
    return rows


def _names_for(viewer: User, subject: models.Model, actors: set[User]) -> dict[int, str]:
    """Who each actor is, as the viewer may see it: the office sees names; the
    others see their own name and the organisation's people by name, the
    scheme's people by role."""
    if is_label_office(viewer):
        return {actor.pk: actor.get_full_name() for actor in actors}
    organisation = organisation_of(subject)
    members = set(
        Membership.objects.filter(organisation=organisation, user__in=actors).values_list("user_id", flat=True)
    )
    roles = _roles_of({actor.pk for actor in actors} - members - {viewer.pk})
    return {
        actor.pk: actor.get_full_name()
        if actor.pk in members or actor.pk == viewer.pk
        else str(ROLE_NAMES[roles.get(actor.pk, "other")])
        for actor in actors
    }


def _roles_of(user_ids: set[int]) -> dict[int, str]:
    """The scheme role each person acted in (one query per kind of role)."""
    roles: dict[int, str] = {}
    for user_id in PartnerStaff.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True):
        roles[user_id] = "partner"
    for user_id in AssessorProfile.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True):
        roles[user_id] = "assessor"
    staff = {StaffRole.LABEL_OFFICE: "office", StaffRole.LABEL_COMMITTEE: "committee"}
    for user_id, role in RoleGrant.objects.filter(user_id__in=user_ids, role__in=staff).values_list("user_id", "role"):
        roles[user_id] = staff[StaffRole(role)]
    return roles


def history_names(subject: models.Model, *, viewer: User) -> dict[int, str]:
    """Every person in the history the viewer may read, as the viewer may see them."""
    entries = history_entries(subject, viewer=viewer).exclude(actor=None)
    return _names_for(viewer, subject, set(User.objects.filter(pk__in=entries.values("actor_id"))))


def history_actors(names: Mapping[int, str], *, viewer: User, subject: models.Model) -> list[tuple[int, str]]:
    """The people the viewer may filter by: those shown by name, not by role."""
    by_role = {str(role) for role in ROLE_NAMES.values()}
    return sorted(((pk, name) for pk, name in names.items() if name not in by_role), key=lambda pair: pair[1])
