from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffRole(models.TextChoices):
    """Roles the label office grants to people who work for the scheme."""

    LABEL_OFFICE = "label_office", _("Label office")
    LABEL_COMMITTEE = "label_committee", _("Label committee")
    POLICY_READER = "policy_reader", _("Policy reader")
