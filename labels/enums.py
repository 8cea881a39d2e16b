"""Vocabulary of labels: where a label comes from, what state it is in, how an import job stands."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LabelSource(models.TextChoices):
    APPLICATION = "application", _("Application")
    IMPORT = "import", _("Legacy import")


class LabelState(models.TextChoices):
    """Computed from dates and flags (``labels.validity.label_state``), never stored:
    a stored state would go stale at midnight."""

    VALID = "valid", _("Valid")
    EXPIRING = "expiring", _("Expiring soon")
    RENEWABLE = "renewable", _("Expired, renewable")
    LAPSED = "lapsed", _("Lapsed")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Superseded")


class ReminderState(models.TextChoices):
    """A reminder is claimed by a sweep (pending), then sent, or skipped when it no longer applies."""

    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Skipped")


class CertificateLanguage(models.TextChoices):
    """What the certificate is printed in, chosen per label by the label office."""

    ENGLISH = "en", _("English")
    ENGLISH_SERBIAN = "en+sr-latn", _("English and Serbian")


class LabelEventKind(models.TextChoices):
    """What can happen to a label after its award (``label.<kind>`` rows in the history)."""

    REVOKED = "revoked", _("Revoked")
    # The office undid a revocation made in error: the label is back in its chain.
    REINSTATED = "reinstated", _("Reinstated")
    # The label that had replaced it was revoked: it is the current one again.
    RESTORED = "restored", _("Current again")
    CORRECTED = "corrected", _("Corrected")
    CERTIFICATE = "certificate", _("Certificate regenerated")
