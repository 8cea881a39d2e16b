from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending validation")
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")


class MembershipRole(models.TextChoices):
    """A person's role inside a cluster organisation."""

    MANAGER = "manager", _("Manager")
    CONTRIBUTOR = "contributor", _("Contributor")
