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


class EligibilityCriterion(models.TextChoices):
    """The five public eligibility criteria (since 15 Nov 2019, every level)."""

    MANAGEMENT = "management", _("Dedicated management team")
    MEMBERS = "members", _("Committed members")
    TRIPLE_HELIX = "triple_helix", _("Triple helix")
    WEBSITE = "website", _("Website in English")
    ECCP = "eccp", _("Listed on the ECCP")


class InvitationState(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")


class NameChangeState(models.TextChoices):
    """A labelled organisation's request for a new name, as its validator decides it."""

    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
