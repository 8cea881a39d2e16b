"""Forms of the assessment workflow: they validate input; services hold the rules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import Indicator, StandingDeclaration
from assessments.scoring import Verdict
from assessments.services.assessing import CONTRADICTORY_DECLARATION
from assessments.silver import Recommendation
from clusters.enums import OrganisationState
from clusters.models import ClusterOrganisation
from common.scheme import case_deadlines

# What one comment or recommendation keeps; longer text is cut, as the report prints it.
SCORE_TEXT_MAX = 4000


class DeclarationForm(forms.Form):
    no_conflict = forms.BooleanField(
        label=_(
            "I declare that I have no conflict of interest with this organisation: I am not and have not been "
            "its member, employee, adviser or competitor, and nothing impairs my impartiality."
        ),
        required=False,
    )
    reason = forms.CharField(
        label=_("Or decline, with the reason (seen only by the label office)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("no_conflict") and not (data.get("reason") or "").strip():
            raise forms.ValidationError(_("Tick the declaration, or decline with a reason."))
        if data.get("no_conflict") and (data.get("reason") or "").strip():
            # Contradictory: refused with the text kept, never silently dropped.
            raise forms.ValidationError(CONTRADICTORY_DECLARATION)
        return data


class ReasonForm(forms.Form):
    """The office's reason for replacing an expert or closing a question (kept in the history)."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ExtendForm(forms.Form):
    due_on = forms.DateField(label=_("New due date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class StandingDeclarationForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=ClusterOrganisation.objects.filter(
            state__in=[OrganisationState.PENDING, OrganisationState.ACTIVE]
        ).order_by("name"),
    )
    kind = forms.ChoiceField(label=_("Link"), choices=StandingDeclaration.Kind.choices)
    note = forms.CharField(label=_("Details (optional)"), required=False, max_length=500)


class ClarificationForm(forms.Form):
    question = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    # Offered: the scheme's time to answer (settings.CASE_DEADLINES); the expert may choose another day.
    due_on = forms.DateField(
        label=_("Answer due by"),
        # A date input takes ISO dates only, whatever the language.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=lambda: timezone.localdate() + timedelta(days=case_deadlines().answer_days),
    )
    indicator = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_due_on(self) -> Any:
        due = self.cleaned_data["due_on"]
        if due <= timezone.localdate():
            raise forms.ValidationError(_("The due date must be in the future."))
        return due


class ClarificationAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=8000)
    file = forms.FileField(label=_("A file, if it helps (PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS)"), required=False)


class CompleteForm(forms.Form):
    assessed_on = forms.DateField(
        label=_("Date of the interview or site visit"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The label's validity counts from the month of this date."),
    )
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)
    strengths = forms.CharField(
        label=_("Strengths"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10000, required=False
    )


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("What the assessors should look at again"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )


class SectionScoresForm(forms.Form):
    """One section's verdicts as the scoring page posts them: ``met-<pk>``,
    ``comment-<pk>`` and ``recommendation-<pk>`` per indicator. An indicator
    left without a verdict is not saved."""

    def __init__(self, data: Any = None, *, indicators: Iterable[Indicator], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            # "yes" or "no"; anything else leaves the indicator as it was.
            self.fields[f"met-{indicator.pk}"] = forms.CharField(required=False)
            self.fields[f"comment-{indicator.pk}"] = forms.CharField(required=False)
            self.fields[f"recommendation-{indicator.pk}"] = forms.CharField(required=False)

    def verdicts(self) -> list[Verdict]:
        data = self.cleaned_data
        return [
            Verdict(
                indicator=indicator,
                met=data[f"met-{indicator.pk}"] == "yes",
                comment=data[f"comment-{indicator.pk}"][:SCORE_TEXT_MAX],
                recommendation=data[f"recommendation-{indicator.pk}"][:SCORE_TEXT_MAX],
            )
            for indicator in self.indicators
            if data[f"met-{indicator.pk}"] in ("yes", "no")
        ]


class ImprovementAreasForm(forms.Form):
    """The Silver case's improvement areas: ``area_<n>`` names a recommendation of the
    first benchmarking, or (none on record) holds the recommendation copied from its report."""

    def __init__(
        self, data: Any = None, *, recommendations: Sequence[Recommendation], count: int, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.offered = bool(recommendations)
        self.count = count
        choices = [("", "—"), *((r.source, f"{r.label}: {r.text}"[:300]) for r in recommendations)]
        for n in range(1, count + 1):
            label = _("Improvement area %(n)d") % {"n": n}
            self.fields[f"area_{n}"] = (
                forms.ChoiceField(label=label, choices=choices)
                if self.offered
                else forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
            )

    def chosen(self) -> list[str]:
        return [str(self.cleaned_data.get(f"area_{n}") or "") for n in range(1, self.count + 1)]


class AreaValidationForm(forms.Form):
    """The auditor's verdict on one improvement area after the site visit."""

    area = forms.IntegerField(widget=forms.HiddenInput)
    validated = forms.ChoiceField(
        label=_("Verdict"),
        choices=[("yes", _("Validated")), ("no", _("Not validated"))],
        widget=forms.RadioSelect,
    )
    gold_criterion = forms.ChoiceField(label=_("Gold criterion checked against"), required=False)
    note = forms.CharField(
        label=_("Note (required when not validated: the organisation reads it with the decision)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )

    def __init__(self, data: Any = None, *, criteria: Sequence[Indicator] = (), **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        criterion = self.fields["gold_criterion"]
        assert isinstance(criterion, forms.ChoiceField)
        criterion.choices = [
            ("", "—"),
            *((i.code, f"{i.code} {i.tr_title}"[:200]) for i in criteria),
        ]
