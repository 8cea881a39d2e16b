from __future__ import annotations

from pathlib import Path

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from labels.enums import CertificateLanguage
from labels.imports.parser import COLUMNS

IMPORT_MAX_BYTES = 5 * 1024 * 1024


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Label file (CSV)"),
        # format_lazy: a "%" here would translate once, at import, in whatever language was active.
        help_text=format_lazy(
            _("UTF-8, comma-separated, one label per row, with the header: {columns}."), columns=",".join(COLUMNS)
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and show what would be imported, write nothing"),
        required=False,
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() != ".csv":
            raise forms.ValidationError(_('Only .csv files can be imported. Save the sheet as "CSV UTF-8".'))
        if upload.size is not None and upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; at most %(limit)s can be imported at once. Split it into several files.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(IMPORT_MAX_BYTES)}
            )
        return upload


# A reason is kept in the label's history and, for a revocation, shown on the verification page.
REASON_MAX = 4000


class LabelRevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason (shown on the verification page)"), max_length=REASON_MAX)


class LabelCorrectForm(forms.Form):
    organisation_name = forms.CharField(label=_("Organisation name"), max_length=250, required=False)
    valid_until = forms.DateField(label=_("Valid until"))
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX)


class CertificateLanguageForm(forms.Form):
    certificate_language = forms.ChoiceField(
        label=_("The certificate is printed in"), choices=CertificateLanguage.choices
    )
