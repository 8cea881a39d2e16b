"""The history page of an organisation, an application, a label or a person."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.models import User
from common.csv_export import csv_response
from common.http import AuthenticatedHttpRequest
from labels.forms import HistoryFilterForm
from labels.history import history_actors, history_entries, history_names, history_rows, history_subject

HISTORY_PAGE_SIZE = 200


@login_required
def history(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponseBase:
    """Newest first, filterable by who and by date, as CSV with ``?format=csv``."""
    viewer = request.user
    subject = history_subject(kind, pk)
    if not viewer.has_perm("labels.view_history", subject):
        raise Http404  # no hint that the record exists
    names = history_names(subject, viewer=viewer)
    form = HistoryFilterForm(request.GET or None, actors=history_actors(names, viewer=viewer, subject=subject))
    filters = form.cleaned_data if form.is_valid() else {}
    entries = history_entries(
        subject,
        viewer=viewer,
        actor_id=filters.get("actor"),
        since=filters.get("since"),
        until=filters.get("until"),
    )
    if request.GET.get("format") == "csv":
        rows = history_rows(entries.iterator(), names=names)
        return csv_response(
            filename=f"history-{kind}-{pk}.csv",
            header=[_("When"), _("What"), _("By"), _("Field"), _("Before"), _("After"), _("Reason")],
            rows=(
                [row.at.isoformat(), row.title, row.who, field, before, after, row.reason]
                for row in rows
                for field, before, after in (row.changes or [("", "", "")])
            ),
        )
    rows = history_rows(entries[:HISTORY_PAGE_SIZE], names=names)
    return render(
        request,
        "labels/history.html",
        {"subject": subject, "kind": kind, "rows": rows, "form": form, "is_person": isinstance(subject, User)},
    )
