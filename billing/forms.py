"""Forms of billing: they validate input and hand typed values to the services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from billing.enums import Delivery, PayerKind, ServiceKind
from clusters.models import NationalPartner
from common.enums import Level


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("amount"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    reference = forms.CharField(label=_("reference"), max_length=140)


class CreditNoteForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class PayerForm(forms.Form):
    kind = forms.ChoiceField(label=_("who pays"), choices=PayerKind.choices)
    partner = forms.ModelChoiceField(
        label=_("national partner"), queryset=NationalPartner.objects.all(), required=False
    )
    name = forms.CharField(label=_("billing name"), max_length=250)
    street = forms.CharField(label=_("street"), max_length=250)
    postcode = forms.CharField(label=_("postcode"), max_length=20, required=False)
    city = forms.CharField(label=_("city"), max_length=120)
    country = CountryField().formfield(label=_("country"))
    vat_number = forms.CharField(label=_("VAT number"), max_length=20, required=False)
    is_business = forms.BooleanField(label=_("business"), required=False, initial=True)
    email = forms.EmailField(label=_("invoice e-mail"), required=False)


class PriceForm(forms.Form):
    level = forms.ChoiceField(label=_("level"), choices=Level.choices)
    kind = forms.ChoiceField(label=_("new or renewal"), choices=ServiceKind.choices)
    delivery = forms.ChoiceField(label=_("delivery"), choices=Delivery.choices)
    amount = forms.DecimalField(label=_("net amount"), max_digits=12, decimal_places=2, min_value=Decimal("0"))
    valid_from = forms.DateField(label=_("valid from"), widget=forms.DateInput(attrs={"type": "date"}))


class DeliveryForm(forms.Form):
    delivery = forms.ChoiceField(
        label=_("delivery"), choices=[(d.value, d.label) for d in (Delivery.VIDEO, Delivery.ON_SITE)]
    )
