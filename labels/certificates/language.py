"""The language(s) a certificate is printed in: the default by country, and the office's or committee's choice."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from clusters.models import ClusterOrganisation
from common.errors import ActionRefused
from labels.certificates.rendering import certificate_queue
from labels.enums import CertificateLanguage, LabelEventKind
from labels.models import Label
from labels.services import label_event_record

# Organisations in these countries get a bilingual certificate unless the committee chooses English.
SERBIAN_CERTIFICATE_COUNTRIES = frozenset({"RS"})


def certificate_language_default(organisation: ClusterOrganisation) -> CertificateLanguage:
    """The certificate language a newly awarded label gets unless the committee chooses another.

    English and Serbian side by side for an organisation in Serbia, English
    elsewhere. The one place of this rule, so it can later become a setting
    the label office edits. No side effects.
    """
    if organisation.country.code in SERBIAN_CERTIFICATE_COUNTRIES:
        return CertificateLanguage.ENGLISH_SERBIAN
    return CertificateLanguage.ENGLISH


def label_set_certificate_language(*, label: Label, language: str, by: User) -> Label:
    """The label office chooses the certificate's language(s) for one label.

    Refuses a person without the permission (``PermissionDenied``), then an
    unknown choice (``ActionRefused``). Side effects: saves the
    label's ``certificate_language`` and a "certificate" event in its history
    when it changes; the certificate is rendered again after commit (its
    fingerprint covers the language).
    """
    if not by.has_perm("labels.choose_certificate_language", label):
        raise PermissionDenied
    if language not in CertificateLanguage.values:
        raise ActionRefused(_("Choose English, or English and Serbian in Latin or Cyrillic script."))
    with transaction.atomic():
        locked = Label.objects.select_for_update().get(pk=label.pk)
        if locked.certificate_language == language:
            return locked
        before = locked.certificate_language
        locked.certificate_language = language
        locked.save(update_fields=["certificate_language"])
        label_event_record(
            label=locked,
            kind=LabelEventKind.CERTIFICATE,
            by=by,
            reason=str(CertificateLanguage(language).label),
            changes={"certificate_language": [before, language]},
        )
        transaction.on_commit(lambda: certificate_queue(locked.pk))
    return locked
