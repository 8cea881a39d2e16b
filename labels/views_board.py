"""The board's pages: meetings, their agenda, the proposals and approvals, the minutes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.enums import StaffRole
from accounts.selectors import people_with_role
from assessments.enums import DecisionOutcome
from common.errors import ActionRefused
from common.http import AuthenticatedHttpRequest
from common.permissions import permission_required
from common.scheme import board_rules
from common.workflow import may_move
from labels import board
from labels.certificates.language import certificate_language_default
from labels.enums import AgendaItemState, CertificateLanguage, MeetingState
from labels.forms import MeetingScheduleForm
from labels.minutes import minutes_missing, render_minutes
from labels.models import AgendaItem, Meeting


@permission_required("labels.view_meetings")
def meeting_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    meetings = Meeting.objects.select_related("scheduled_by").order_by("-held_on", "-id")[:50]
    return render(
        request,
        "labels/meeting_list.html",
        {"meetings": meetings, "quorum": board_rules().quorum, "ready": board.cases_ready_for_agenda()},
    )


@permission_required("labels.schedule_meeting")
@require_http_methods(["GET", "POST"])
def meeting_schedule(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = MeetingScheduleForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        held_on: date = form.cleaned_data["held_on"]
        try:
            meeting = board.meeting_schedule(by=request.user, held_on=held_on, applications=form.cleaned_data["cases"])
        except ActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The meeting is scheduled."))
            return redirect("labels:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "labels/meeting_schedule.html",
        {"form": form, "quorum": board_rules().quorum},
        status=400 if form.errors else 200,
    )


@permission_required("labels.view_meetings")
def meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.select_related("scheduled_by"), pk=pk)
    items = list(
        meeting.items.select_related(
            "application__organisation", "application__report", "application__decision", "rapporteur", "approved_by"
        )
    )
    rows = [
        {
            "item": item,
            # What the page offers: the moves this person may make from the item's state (permission and
            # move table in one, ``common.workflow.may_move``); what it shows, from the item's stage.
            "may_propose": may_move(item, AgendaItemState.PROPOSED, request.user),
            "may_approve": may_move(item, AgendaItemState.APPROVED, request.user),
            "awaits_proposal": item.state == AgendaItemState.PENDING,
            "awaits_approval": item.state == AgendaItemState.PROPOSED,
            "decided": item.state == AgendaItemState.APPROVED,
            "certificate_language": certificate_language_default(item.application.organisation),
        }
        for item in items
    ]
    return render(
        request,
        "labels/meeting_detail.html",
        {
            "meeting": meeting,
            "rows": rows,
            "present": list(meeting.members_present.all()),
            "committee": people_with_role(StaffRole.LABEL_COMMITTEE),
            "in_session": meeting.state == MeetingState.OPEN,
            "scheduled": meeting.state == MeetingState.SCHEDULED,
            "closed": meeting.state == MeetingState.CLOSED,
            "certificate_languages": CertificateLanguage.choices,
            "outcomes": DecisionOutcome.choices,
        },
    )


def _act(request: AuthenticatedHttpRequest, meeting_pk: int, act: Callable[[], object], done: str) -> HttpResponse:
    try:
        act()
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, done)
    return redirect("labels:meeting_detail", pk=meeting_pk)


@permission_required("labels.open_meeting")
@require_POST
def meeting_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting, pk=pk)
    ids = [value for value in request.POST.getlist("members") if value.isdigit()]
    members = [person for person in people_with_role(StaffRole.LABEL_COMMITTEE) if str(person.pk) in ids]
    return _act(
        request,
        meeting.pk,
        lambda: board.meeting_open(meeting=meeting, by=request.user, members=members),
        _("The meeting is in session."),
    )


@permission_required("labels.close_meeting")
@require_POST
def meeting_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting, pk=pk)
    return _act(
        request,
        meeting.pk,
        lambda: board.meeting_close(meeting=meeting, by=request.user),
        _("The meeting is closed; its minutes are being prepared."),
    )


def _item(request: AuthenticatedHttpRequest, pk: int) -> AgendaItem:
    if not request.user.has_perm("labels.view_meetings"):
        raise PermissionDenied
    return get_object_or_404(AgendaItem.objects.select_related("meeting", "application__organisation"), pk=pk)


@permission_required("labels.view_meetings")
@require_POST
def proposal_make(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    return _act(
        request,
        item.meeting_id,
        lambda: board.proposal_make(
            item=item,
            by=request.user,
            outcome=request.POST.get("outcome", ""),
            reason=request.POST.get("reason", "")[:4000],
            certificate_language=request.POST.get("certificate_language") or None,
        ),
        _("Your proposal is recorded; a second member approves it."),
    )


@permission_required("labels.view_meetings")
@require_POST
def proposal_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    return _act(
        request,
        item.meeting_id,
        lambda: board.proposal_approve(item=item, by=request.user),
        _("Approved: the decision is recorded."),
    )


@permission_required("labels.view_meetings")
@require_POST
def proposal_send_back(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    return _act(
        request,
        item.meeting_id,
        lambda: board.proposal_send_back(item=item, by=request.user, reason=request.POST.get("reason", "")[:4000]),
        _("The proposal is sent back to be proposed again."),
    )


@permission_required("labels.view_minutes")
def meeting_minutes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The minutes PDF of a closed meeting, for the office and the committee."""
    meeting = get_object_or_404(Meeting, pk=pk, state=MeetingState.CLOSED)
    if minutes_missing(meeting):
        render_minutes.delay(meeting.pk)
        return render(request, "labels/minutes_pending.html", {"meeting": meeting}, status=202)
    return FileResponse(
        meeting.minutes.open("rb"),
        as_attachment=True,
        content_type="application/pdf",
        filename=f"minutes-{meeting.held_on:%Y-%m-%d}.pdf",
    )
