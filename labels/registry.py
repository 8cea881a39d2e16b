"""The public registry of labelled organisations: filters and sorting in the database."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from common.enums import Level
from common.models import Sector
from labels.enums import LabelState
from labels.models import Label
from labels.selectors import LabelWithState, with_state, with_state_in

CURRENT = "current"
SORTS = {
    "name": ("organisation__name", "level"),
    "country": ("organisation__country", "organisation__name"),
    "level": ("level", "organisation__name"),
    "valid_until": ("-valid_until", "organisation__name"),
}

SORT_NAMES = {
    "name": _("Organisation"),
    "country": _("Country"),
    "level": _("Level"),
    "valid_until": _("Valid until"),
}


class RegistryFilterForm(forms.Form):
    q = forms.CharField(label=_("Organisation"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Country"), required=False)
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("Any")), *Level.choices])
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Sector.objects.all(), required=False, to_field_name="slug", empty_label=_("Any")
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[(CURRENT, _("Valid (current)")), ("", _("Any, history included")), *LabelState.choices],
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=list(SORT_NAMES.items()))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = [("", _("Any")), *list(countries)]
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if is_select else "form-control form-control-sm"


def registry_labels(filters: dict[str, Any], today: date) -> QuerySet[LabelWithState]:
    # Only what the list shows: the rows are sorted before the page is cut, and
    # an organisation's full profile (description, address ...) would ride along.
    shown = Label.objects.select_related("organisation").only(
        "code",
        "level",
        "valid_from",
        "valid_until",
        "revoked_at",
        "superseded_by_id",
        "organisation_id",
        "organisation__name",
        "organisation__slug",
        "organisation__country",
    )
    labels = with_state(shown, today)
    state = filters.get("state", CURRENT)
    if state == CURRENT:
        labels = with_state_in(labels, [LabelState.VALID, LabelState.EXPIRING], today)
    elif state:
        labels = with_state_in(labels, [state], today)
    if filters.get("q"):
        labels = labels.filter(organisation__name__icontains=filters["q"])
    if filters.get("country"):
        labels = labels.filter(organisation__country=filters["country"])
    if filters.get("level"):
        labels = labels.filter(level=filters["level"])
    if filters.get("sector"):
        labels = labels.filter(organisation__sectors=filters["sector"])
    return labels.order_by(*SORTS.get(filters.get("sort") or "name", SORTS["name"]))
