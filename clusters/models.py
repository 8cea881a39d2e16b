"""Who is labelled (cluster management organisations) and who speaks for them."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country, CountryField, MultipleCountriesDescriptor

from clusters.enums import EligibilityCriterion, InvitationState, MembershipRole, NameChangeState, OrganisationState


def logo_path(instance: ClusterOrganisation, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"logos/{instance.slug}.{extension}"


class ClusterOrganisation(models.Model):
    """A cluster management organisation (CMO): the body that gets labelled."""

    name = models.CharField(_("legal name"), max_length=250)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    # Typed by hand: the stubs see a CharField (a str), the descriptor gives a Country.
    country: models.Field[Country | str, Country] = CountryField(_("country"))
    region = models.CharField(_("region"), max_length=120, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    address = models.TextField(_("address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    website_in_english = models.BooleanField(
        _("website in English"), default=False, help_text=_("Machine translation is accepted.")
    )
    eccp_url = models.URLField(
        _("ECCP profile"), blank=True, help_text=_("Your profile on the European Cluster Collaboration Platform.")
    )
    founding_year = models.PositiveSmallIntegerField(_("founding year"), null=True, blank=True)
    legal_form = models.CharField(_("legal form"), max_length=120, blank=True)
    sectors = models.ManyToManyField(
        "common.Sector", blank=True, related_name="organisations", verbose_name=_("sectors")
    )
    description = models.TextField(_("description"), blank=True)
    logo = models.ImageField(_("logo"), upload_to=logo_path, blank=True)
    management_fte = models.DecimalField(
        _("management staff (FTE)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_("Full-time equivalents working for the cluster management."),
    )
    members_sme = models.PositiveIntegerField(_("SMEs"), default=0)
    members_large = models.PositiveIntegerField(_("large companies"), default=0)
    members_research = models.PositiveIntegerField(_("research and universities"), default=0)
    members_public = models.PositiveIntegerField(_("public bodies"), default=0)
    members_other = models.PositiveIntegerField(_("other members (civil society ...)"), default=0)
    public_body_link = models.CharField(
        _("link to public bodies"),
        max_length=300,
        blank=True,
        help_text=_("If your members are of one type only: how the cluster is visibly linked to public bodies."),
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=OrganisationState.choices, default=OrganisationState.DRAFT
    )
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("cluster organisation")
        verbose_name_plural = _("cluster organisations")
        indexes = [
            models.Index(fields=["country", "state"], name="clusters_org_country_state"),
            models.Index(Lower("name"), "country", name="clusters_org_name_country"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(management_fte__gte=0), name="clusters_org_fte_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country.code})" if self.country else self.name

    @property
    def members_total(self) -> int:
        return self.members_sme + self.members_large + self.members_research + self.members_public + self.members_other


class EligibilityWaiver(models.Model):
    """A criterion waived for an organisation recognised by a cluster programme.

    A withdrawn waiver stays, marked withdrawn (who, when, why): it no longer
    counts, and the same criterion can be waived again.
    """

    organisation = models.ForeignKey(
        ClusterOrganisation, on_delete=models.CASCADE, related_name="waivers", verbose_name=_("organisation")
    )
    criterion = models.CharField(_("criterion"), max_length=32, choices=EligibilityCriterion.choices)
    reason = models.TextField(_("reason"))
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("waived by")
    )
    waived_at = models.DateTimeField(_("waived at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdraw_reason = models.TextField(_("why withdrawn"), blank=True)

    class Meta:
        ordering = ["organisation", "criterion", "-waived_at"]
        verbose_name = _("eligibility waiver")
        verbose_name_plural = _("eligibility waivers")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "criterion"],
                condition=Q(withdrawn_at__isnull=True),
                name="clusters_waiver_one_current_per_criterion",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_criterion_display()} waived"


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
    countries: models.Field[Iterable[Country | str], MultipleCountriesDescriptor] = CountryField(
        _("countries"), multiple=True
    )
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


class Invitation(models.Model):
    """An invitation by e-mail to join an organisation. The link is signed,
    expires after ``INVITATION_VALID_DAYS`` and works once."""

    organisation = models.ForeignKey(
        ClusterOrganisation, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("organisation")
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(
        _("role"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.CONTRIBUTOR
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=16, choices=InvitationState.choices, default=InvitationState.PENDING
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                Lower("email"), "organisation", condition=Q(state="pending"), name="clusters_invitation_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"


class NameChangeRequest(models.Model):
    """A manager asks for a new name for an organisation that holds or held a
    label: labels name it, so its validator (the partner for its country or the
    office) decides. Nothing changes until the request is approved."""

    organisation = models.ForeignKey(
        ClusterOrganisation, on_delete=models.CASCADE, related_name="name_changes", verbose_name=_("organisation")
    )
    # The name when asked: what the validator compares with, even if the office corrects it meanwhile.
    current_name = models.CharField(_("current name"), max_length=250)
    new_name = models.CharField(_("new name"), max_length=250)
    reason = models.TextField(_("why"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=16, choices=NameChangeState.choices, default=NameChangeState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("name change request")
        verbose_name_plural = _("name change requests")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(state="pending"), name="clusters_name_change_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.current_name} → {self.new_name}"
