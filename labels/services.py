"""Services of labels: create one (its validity and place in the chain), revoke, correct.

The committee's decision is in ``labels.decisions``, the import of legacy
labels in ``labels.imports``, certificates in ``labels.certificates``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assessments.benchmarking.pdf import benchmarking_reports_refresh
from assessments.models import Application
from clusters.models import ClusterOrganisation
from clusters.services import organisation_name_correct
from common.enums import Level
from common.errors import ActionRefused
from common.models import ActivityLog
from common.services import history_record
from labels.certificates.rendering import certificate_queue
from labels.chains import chain_relink, chains_write, chronological, codes_assign
from labels.enums import CertificateLanguage, LabelEventKind, LabelSource
from labels.figures import figures_changed
from labels.models import ImportJob, Label
from labels.validity import compute_validity


def label_event_record(
    *, label: Label, kind: LabelEventKind, by: User, reason: str, changes: dict[str, list[str]] | None = None
) -> ActivityLog:
    """Record what happened to a label after its award, in the one history
    (``label.<kind>``; the office's label page lists them, ``label_events_of``)."""
    return history_record(obj=label, action=f"label.{kind}", by=by, data=changes or {}, reason=reason)


@transaction.atomic
def label_create(
    *,
    organisation: ClusterOrganisation,
    level: Level,
    assessed_on: date,
    source: LabelSource,
    valid_until: date | None = None,
    score: Decimal | None = None,
    code: str = "",
    imported_in: ImportJob | None = None,
    application: Application | None = None,
    certificate_language: CertificateLanguage = CertificateLanguage.ENGLISH,
) -> Label:
    """Create a label, its validity computed from the organisation's previous label of that level.

    ``valid_until`` overrides the computed end (legacy records);
    ``certificate_language`` is what its certificate is printed in. Side effects:
    the current label of that organisation and level, when older, is
    superseded by the new one; when newer, the new label is created already
    superseded by it (a late record of history); the stored figures are
    refreshed after commit (``labels.figures.figures_changed``, coalesced). No e-mail.
    Raises ``ValidationError`` for a second label on the same assessment date.
    """
    others = chronological(
        Label.objects.select_for_update()
        .select_related("organisation")
        .filter(organisation=organisation, level=level, revoked_at__isnull=True)
    )
    if any(other.assessed_on == assessed_on for other in others):
        raise ValidationError(_("A label of this level assessed on that date already exists."))
    previous = [other for other in others if other.assessed_on < assessed_on]
    validity = compute_validity(
        level=level, assessed_on=assessed_on, previous_valid_until=previous[-1].valid_until if previous else None
    )
    label = Label(
        organisation=organisation,
        level=level,
        source=source,
        assessed_on=assessed_on,
        valid_from=validity.valid_from,
        valid_until=valid_until or validity.valid_until,
        score=score,
        code=code,
        imported_in=imported_in,
        application=application,
        certificate_language=certificate_language,
    )
    if label.valid_until <= label.valid_from:
        raise ValidationError(_("valid_until must be after valid_from (%(date)s).") % {"date": label.valid_from})
    codes_assign([label])
    chains_write([chronological([*others, label])])
    # The organisation's level may have changed: the benchmarking reports' level groups with it.
    benchmarking_reports_refresh()
    figures_changed()
    return label


@transaction.atomic
def label_revoke(*, label: Label, by: User, reason: str) -> Label:
    """The label office revokes a label, with a mandatory reason.

    The label leaves its chain: the label it had replaced (a revoked renewal's
    predecessor) is linked to the revoked one's successor, or is the current
    one again, its state then what its own dates say, its reminders due again.
    Side effects: a history event (and ``label.restored`` or
    ``label.superseded`` on the relinked label); verification says revoked
    and why at once; the certificate is rendered again and the stored figures
    refreshed (coalesced) after commit.
    """
    if not by.has_perm("labels.revoke_label", label):
        raise PermissionDenied
    if not reason.strip():
        raise ActionRefused(_("Give the reason for revoking: the verification page shows it."))
    label = Label.objects.select_for_update().get(pk=label.pk)
    if label.revoked_at is not None:
        raise ActionRefused(_("This label is already revoked."))
    label.revoked_at, label.revoked_by, label.revoke_reason = timezone.now(), by, reason.strip()
    label.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    label_event_record(label=label, kind=LabelEventKind.REVOKED, by=by, reason=reason)
    chain_relink(_chain_of(label), by=by, reason=reason.strip())
    transaction.on_commit(lambda: certificate_queue(label.pk))
    benchmarking_reports_refresh()
    figures_changed()
    return label


@transaction.atomic
def label_reinstate(*, label: Label, by: User, reason: str) -> Label:
    """The label office undoes a revocation made in error, with a mandatory reason.

    The label goes back to its place in the chain: a reinstated renewal
    supersedes its predecessor again. Refused when a label of the same
    organisation and level was recorded since the revocation (its validity
    was computed without this one: the two would overlap) or shares its
    assessment date. Side effects: a history event (``label.reinstated``, the
    revocation's row stays), ``label.superseded`` on the relinked labels;
    verification, the registry and the Open Badges status list follow at once;
    the certificate is rendered again and the stored figures refreshed
    (coalesced) after commit.
    """
    if not by.has_perm("labels.reinstate_label", label):
        raise PermissionDenied
    if not reason.strip():
        raise ActionRefused(_("Give the reason for reinstating the label: its history keeps it."))
    label = Label.objects.select_for_update().get(pk=label.pk)
    if label.revoked_at is None:
        raise ActionRefused(_("This label is not revoked."))
    others = _chain_of(label)
    if any(other.assessed_on == label.assessed_on or other.created_at > label.revoked_at for other in others):
        raise ActionRefused(
            _(
                "A label of this organisation and level was recorded after the revocation: "
                "reinstating this one would overlap it. Revoke that one first if it is wrong."
            )
        )
    revoked = {"revoked_at": [label.revoked_at.isoformat(), ""], "revoke_reason": [label.revoke_reason, ""]}
    # Still revoked while the chain is relinked: it is not current before its predecessor is superseded.
    chain_relink(chronological([*others, label]), by=by, reason=reason.strip())
    label.revoked_at, label.revoked_by, label.revoke_reason = None, None, ""
    label.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    label_event_record(label=label, kind=LabelEventKind.REINSTATED, by=by, reason=reason, changes=revoked)
    transaction.on_commit(lambda: certificate_queue(label.pk))
    benchmarking_reports_refresh()
    figures_changed()
    return label


def _chain_of(label: Label) -> list[Label]:
    """The other labels of ``label``'s organisation and level that are not revoked, oldest first, locked."""
    return chronological(
        Label.objects.select_for_update()
        .filter(organisation_id=label.organisation_id, level=label.level, revoked_at__isnull=True)
        .exclude(pk=label.pk)
    )


@transaction.atomic
def label_correct(
    *, label: Label, by: User, reason: str, valid_until: date | None = None, organisation_name: str | None = None
) -> Label:
    """The office corrects a label's end date or the organisation's name as
    printed, with a reason.

    Side effects: a history event with the old and new value; the certificate
    is rendered again and the stored figures refreshed (coalesced) after commit.
    """
    if not by.has_perm("labels.correct_label", label):
        raise PermissionDenied
    if not reason.strip():
        raise ActionRefused(_("Give the reason for the correction."))
    label = Label.objects.select_for_update().get(pk=label.pk)
    changes = {}
    if valid_until is not None and valid_until != label.valid_until:
        if valid_until <= label.valid_from:
            raise ActionRefused(
                _("The end of validity must come after its start (%(date)s).") % {"date": label.valid_from}
            )
        changes["valid_until"] = [label.valid_until.isoformat(), valid_until.isoformat()]
        label.valid_until = valid_until
        label.save(update_fields=["valid_until"])
    name = (organisation_name or "").strip()
    if name and name != label.organisation.name:
        changes["organisation_name"] = [label.organisation.name, name]
        organisation_name_correct(organisation=label.organisation, name=name, by=by)
    if name and name != label.awarded_name:
        # A correction of the name as printed: this label's certificate and credential say it from now on.
        changes["awarded_name"] = [label.awarded_name, name]
        label.awarded_name = name
        label.save(update_fields=["awarded_name"])
    if not changes:
        raise ActionRefused(_("Nothing to correct: the values are the same."))
    label_event_record(label=label, kind=LabelEventKind.CORRECTED, by=by, reason=reason, changes=changes)
    transaction.on_commit(lambda: certificate_queue(label.pk))
    benchmarking_reports_refresh()
    figures_changed()
    return label
