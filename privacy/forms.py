from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the person"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=200,
        help_text=_("For example: GDPR article 17(1)(a), the data is no longer needed; the person's request of 2 May."),
    )
