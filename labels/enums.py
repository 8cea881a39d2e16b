"""Vocabulary of labels: where a label comes from, what state it is in, how an import job stands."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


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
    ENGLISH_SERBIAN = "en+sr-latn", _("English and Serbian (Latin)")
    # For readers of Cyrillic: the Serbian half in Cyrillic script.
    ENGLISH_SERBIAN_CYRILLIC = "en+sr", _("English and Serbian (Cyrillic)")


class LabelEventKind(models.TextChoices):
    """What can happen to a label after its award (``label.<kind>`` rows in the history)."""

    REVOKED = "revoked", _("Revoked")
    # The office undid a revocation made in error: the label is back in its chain.
    REINSTATED = "reinstated", _("Reinstated")
    # The label that had replaced it was revoked: it is the current one again.
    RESTORED = "restored", _("Current again")
    CORRECTED = "corrected", _("Corrected")
    CERTIFICATE = "certificate", _("Certificate regenerated")


class MeetingState(models.TextChoices):
    """A board meeting: scheduled by the office, opened with the members present
    (a quorum), closed with its minutes."""

    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("In session")
    CLOSED = "closed", _("Closed")


class AgendaItemState(models.TextChoices):
    """One case on a meeting's agenda: a rapporteur proposes, a second member approves
    (the decision is recorded then); a proposal the second member does not approve
    goes back to be proposed again."""

    PENDING = "pending", _("To be proposed")
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Decided")


def reminder_kind_words(key: str) -> str:
    """A reminder's step in words: "expiry-30" is "30 days before expiry", "window-0" "when renewal closes"."""
    anchor, _sep, days_text = key.partition("-")
    days = int(days_text) if days_text.isdigit() else 0
    if anchor == "window":
        if days == 0:
            return str(_("the day renewal closes"))
        return ngettext("%(days)d day before renewal closes", "%(days)d days before renewal closes", days) % {
            "days": days
        }
    if days == 0:
        return str(_("the day the label expires"))
    return ngettext("%(days)d day before expiry", "%(days)d days before expiry", days) % {"days": days}
