from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from assessments.models import Application
from labels.board import cases_ready_for_agenda
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


class LabelReinstateForm(forms.Form):
    reason = forms.CharField(label=_("Why the revocation was wrong"), max_length=REASON_MAX)


class LabelCorrectForm(forms.Form):
    organisation_name = forms.CharField(label=_("Organisation name"), max_length=250, required=False)
    valid_until = forms.DateField(label=_("Valid until"))
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX)


class CertificateLanguageForm(forms.Form):
    certificate_language = forms.ChoiceField(
        label=_("The certificate is printed in"), choices=CertificateLanguage.choices
    )


class HistoryFilterForm(forms.Form):
    """Who and when, on the history page; ``actors`` are the people the reader may filter by."""

    actor = forms.TypedChoiceField(
        label=_("By"), required=False, coerce=int, empty_value=None, widget=forms.Select(attrs={"class": "form-select"})
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )

    def __init__(self, data: Any = None, *, actors: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["actor"].choices = [("", _("Anyone")), *actors]  # type: ignore[attr-defined]


class CaseChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Application) -> str:
        return f"{obj.organisation.name} · {obj.get_level_display()}"


class MeetingScheduleForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    cases = CaseChoiceField(
        label=_("Cases on the agenda"),
        queryset=Application.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        ready = cases_ready_for_agenda()
        field = self.fields["cases"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Application.objects.filter(pk__in=[case.pk for case in ready]).select_related("organisation")
