"""Who is labelled (cluster management organisations) and who speaks for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from clusters.enums import MembershipRole, OrganisationState


class ClusterOrganisation(models.Model):
    """A cluster management organisation (CMO): the body that gets labelled."""

    name = models.CharField(_("legal name"), max_length=250)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    sectors = models.ManyToManyField(
        "common.Sector", blank=True, related_name="organisations", verbose_name=_("sectors")
    )
    state = models.CharField(
        _("state"), max_length=16, choices=OrganisationState.choices, default=OrganisationState.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("cluster organisation")
        verbose_name_plural = _("cluster organisations")
        indexes = [models.Index(fields=["country", "state"], name="clusters_org_country_state")]

    def __str__(self) -> str:
        return f"{self.name} ({self.country.code})" if self.country else self.name


class Membership(models.Model):
    """A person working for an organisation. Kept when they leave (``left_at``),
    because an assessor who ever was a member must never assess it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        ClusterOrganisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    role = models.CharField(
        _("role"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.CONTRIBUTOR
    )
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "user__email"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(left_at__isnull=True),
                name="clusters_membership_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} ({self.get_role_display()})"

    @property
    def is_current(self) -> bool:
        return self.left_at is None


class NationalPartner(models.Model):
    """An organisation promoting labels in some countries (e.g. Cluster House, Serbia)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    countries = CountryField(_("countries"), multiple=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("national partner")
        verbose_name_plural = _("national partners")

    def __str__(self) -> str:
        return self.name


class PartnerStaff(models.Model):
    partner = models.ForeignKey(
        NationalPartner, on_delete=models.CASCADE, related_name="staff", verbose_name=_("partner")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_staff", verbose_name=_("user")
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        ordering = ["partner__name", "user__email"]
        verbose_name = _("partner staff member")
        verbose_name_plural = _("partner staff")
        constraints = [models.UniqueConstraint(fields=["partner", "user"], name="clusters_partnerstaff_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.partner}"
