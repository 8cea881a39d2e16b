"""Forms of the clusters app: they validate input; services hold the rules."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from clusters.enums import EligibilityCriterion, MembershipRole, OrganisationState
from clusters.models import ClusterOrganisation
from common.models import Sector

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_FORMATS = {"PNG", "JPEG", "WEBP"}


class OrganisationForm(forms.ModelForm):
    sectors = forms.ModelMultipleChoiceField(
        label=_("Sectors"),
        queryset=Sector.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The comparative portfolios your cluster belongs to; choose one or more."),
    )

    class Meta:
        model = ClusterOrganisation
        fields = [
            "name",
            "acronym",
            "country",
            "region",
            "city",
            "address",
            "website",
            "website_in_english",
            "eccp_url",
            "founding_year",
            "legal_form",
            "sectors",
            "description",
            "logo",
            "management_fte",
            "members_sme",
            "members_large",
            "members_research",
            "members_public",
            "members_other",
            "public_body_link",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "management_fte": forms.NumberInput(attrs={"step": "0.1", "min": "0"}),
        }

    def clean_founding_year(self) -> int | None:
        year: int | None = self.cleaned_data.get("founding_year")
        if year is not None and not 1900 <= year <= timezone.now().year:
            raise ValidationError(_("Enter a year between 1900 and this year."))
        return year

    def clean_eccp_url(self) -> str:
        url: str = self.cleaned_data.get("eccp_url", "")
        host = (urlsplit(url).hostname or "") if url else ""
        if url and not (host == "clustercollaboration.eu" or host.endswith(".clustercollaboration.eu")):
            raise ValidationError(_("Enter the address of your ECCP profile (on clustercollaboration.eu)."))
        return url

    def clean_management_fte(self) -> Any:
        fte = self.cleaned_data.get("management_fte")
        if fte is not None and (fte < 0 or fte > 500):
            raise ValidationError(_("Enter the full-time equivalents of the management team, between 0 and 500."))
        return fte

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        if not logo or not hasattr(logo, "image"):
            return logo  # unchanged or cleared
        if logo.size > LOGO_MAX_BYTES:
            raise ValidationError(_("The logo is larger than 2 MB; please upload a smaller image."))
        if getattr(logo.image, "format", None) not in LOGO_FORMATS:
            raise ValidationError(_("The logo must be a PNG, JPEG or WebP image."))
        return logo


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("The organisation's managers will read it."),
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Please give a reason."))
        return reason


class WaiverForm(ReasonForm):
    criterion = forms.ChoiceField(label=_("Criterion"), choices=EligibilityCriterion.choices)
    field_order = ["criterion", "reason"]


class NameChangeForm(forms.Form):
    """A labelled organisation's new name and why: its validator decides."""

    new_name = forms.CharField(label=_("New name"), max_length=250)
    reason = forms.CharField(
        label=_("Why"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("The national partner or the label office reads it (a merger, a new legal form ...)."),
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Please say why the name changes."))
        return reason


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices, initial=MembershipRole.CONTRIBUTOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices)


ELIGIBILITY_FILTER = [("", _("Any")), ("yes", _("Eligible")), ("no", _("Not eligible"))]


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.all(), required=False, to_field_name="slug"
    )
    state = forms.ChoiceField(label=_("State"), choices=[("", _("Any")), *OrganisationState.choices], required=False)
    eligible = forms.ChoiceField(label=_("Eligibility"), choices=ELIGIBILITY_FILTER, required=False)

    def __init__(self, *args: Any, country_codes: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = country_codes if country_codes is not None else [code for code, _name in countries]
        cast(forms.ChoiceField, self.fields["country"]).choices = [("", _("Any"))] + [
            (code, countries.name(code)) for code in codes
        ]
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if is_select else "form-control form-control-sm"
