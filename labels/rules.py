from __future__ import annotations

from typing import TYPE_CHECKING

import rules

from accounts.rules import has_a_staff_role, is_label_committee, is_label_office, is_policy_reader
from assessments.models import Application
from assessments.rules import may_judge_case
from clusters.models import ClusterOrganisation
from clusters.rules import is_member_of_cluster, is_partner_for_country, is_partner_staff
from common.request_cache import cached
from labels.models import AgendaItem, Label

if TYPE_CHECKING:
    from labels.models import Label

rules.add_perm("labels.view_office_start", is_label_office)
rules.add_perm("labels.view_committee_start", is_label_committee)
rules.add_perm("labels.import_labels", is_label_office)
rules.add_perm("labels.revoke_label", is_label_office)
# Undoing a revocation made in error: its own permission, so either can be given alone.
rules.add_perm("labels.reinstate_label", is_label_office)
# Staff follow the registry's code links all day; the verification budget is for strangers.
rules.add_perm("labels.verify_without_limit", has_a_staff_role)


@rules.predicate
def is_member_of_label_organisation(user: object, label: Label | None) -> bool:
    return bool(label is not None and is_member_of_cluster(user, label.organisation))


@rules.predicate
def is_partner_for_label(user: object, label: Label | None) -> bool:
    return bool(label is not None and is_partner_for_country(user, label.organisation))


# The statistics pages: partners read them too, scoped to their countries
# (labels.statistics.scope_for); the policy start page stays for policy readers and the office.
rules.add_perm("labels.read_statistics", is_policy_reader | is_label_office | is_partner_staff)
# Expiry tracking: a partner for its countries, the office for all of them.
rules.add_perm("labels.view_dashboard", is_partner_staff | is_label_office)
rules.add_perm("labels.view_label", is_member_of_label_organisation | is_partner_for_label | is_label_office)

# One permission per action on a label, each the label office's today.
rules.add_perm("labels.manage_label", is_label_office)
rules.add_perm("labels.correct_label", is_label_office)
rules.add_perm("labels.choose_certificate_language", is_label_office)
rules.add_perm("labels.regenerate_certificates", is_label_office)


def _history_organisation(subject: object) -> ClusterOrganisation | None:
    if isinstance(subject, ClusterOrganisation):
        return subject
    if isinstance(subject, Application | Label):
        return subject.organisation
    return None


@rules.predicate
def is_of_history_organisation(user: object, subject: object) -> bool:
    """The organisation's people and the partner for its country read its history (and its cases' and labels')."""
    organisation = _history_organisation(subject)
    return bool(
        organisation is not None
        and (is_member_of_cluster(user, organisation) or is_partner_for_country(user, organisation))
    )


# The office reads the history of any organisation, application, label or person.
rules.add_perm("labels.view_history", is_label_office | is_of_history_organisation)


# --- The board ------------------------------------------------------------------------------------


@rules.predicate
def is_present_at_meeting(user: object, item: AgendaItem | None) -> bool:
    if item is None or not getattr(user, "is_authenticated", False):
        return False
    meeting = item.meeting
    present = cached(
        ("labels.present", meeting.pk),
        lambda: frozenset(meeting.members_present.values_list("pk", flat=True)),
        depends_on=("labels.Meeting", "labels.Meeting_members_present"),
    )
    return getattr(user, "pk", None) in present


@rules.predicate
def may_judge_item_case(user: object, item: AgendaItem | None) -> bool:
    """Committee, and neither assessor, quality checker nor linked to the applicant."""
    return item is not None and bool(may_judge_case(user, item.application))


@rules.predicate
def is_rapporteur_of_item(user: object, item: AgendaItem | None) -> bool:
    return item is not None and item.rapporteur_id is not None and item.rapporteur_id == getattr(user, "pk", None)


rules.add_perm("labels.view_meetings", is_label_office | is_label_committee)
rules.add_perm("labels.view_minutes", is_label_office | is_label_committee)
rules.add_perm("labels.schedule_meeting", is_label_office)
rules.add_perm("labels.open_meeting", is_label_office)
rules.add_perm("labels.close_meeting", is_label_office)
rules.add_perm("labels.propose_decision", is_present_at_meeting & may_judge_item_case)
# Four eyes inside the committee: the rapporteur never approves his own proposal.
rules.add_perm("labels.approve_decision", is_present_at_meeting & may_judge_item_case & ~is_rapporteur_of_item)
