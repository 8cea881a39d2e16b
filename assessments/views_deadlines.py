"""Pages that keep cases moving and experts impartial: the office's queue of late
steps, replacing an expert, extending or closing a question; each expert's
standing declarations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessments import selectors
from assessments.forms import ExtendForm, ReasonForm, StandingDeclarationForm
from assessments.late_steps import late_steps
from assessments.models import Assignment, Clarification, StandingDeclaration
from assessments.services import conflicts, deadlines
from common.actions import refusable
from common.http import AuthenticatedHttpRequest
from common.permissions import permission_required


@permission_required("assessments.view_late_steps")
def late_steps_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = [(step, step.days_late(today)) for step in late_steps(today)]
    return render(request, "assessments/late_steps.html", {"rows": rows})


def _form_errors(form: ReasonForm | ExtendForm) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@login_required
@require_POST
def assignment_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The office replaces an expert: the assignment ends, the office picks another."""
    assignment = get_object_or_404(Assignment.objects.select_related("application"), pk=pk)
    form = ReasonForm(request.POST)
    # An invalid form reaches the service as no reason: it refuses after the permission.
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if refusable(
        request,
        lambda: deadlines.assignment_remove(assignment=assignment, by=request.user, reason=reason),
        _("The expert is removed from the case. Assign another."),
    ):
        return redirect("assessments:case_assign", pk=assignment.application_id)
    return redirect("assessments:late_steps")


def _clarification(request: AuthenticatedHttpRequest, pk: int, clarification_pk: int) -> Clarification:
    application = selectors.application_for(request.user, pk)
    return get_object_or_404(
        Clarification.objects.select_related("application"), pk=clarification_pk, application=application
    )


@login_required
@require_POST
def clarification_extend(request: AuthenticatedHttpRequest, pk: int, clarification_pk: int) -> HttpResponse:
    clarification = _clarification(request, pk, clarification_pk)
    form = ExtendForm(request.POST)
    valid = form.is_valid()
    ok = refusable(
        request,
        lambda: deadlines.clarification_extend(
            clarification=clarification,
            by=request.user,
            due_on=form.cleaned_data["due_on"] if valid else clarification.due_on,
            reason=form.cleaned_data["reason"] if valid else "",
        ),
        _("The organisation has until the new date to answer."),
    )
    if not ok and not valid:
        messages.error(request, _form_errors(form))
    return redirect("assessments:application_detail", pk=pk)


@login_required
@require_POST
def clarification_close(request: AuthenticatedHttpRequest, pk: int, clarification_pk: int) -> HttpResponse:
    clarification = _clarification(request, pk, clarification_pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    refusable(
        request,
        lambda: deadlines.clarification_close(clarification=clarification, by=request.user, reason=reason),
        _("The question is closed; no answer is awaited."),
    )
    return redirect("assessments:application_detail", pk=pk)


@permission_required("assessments.manage_standing_declarations")
@require_http_methods(["GET", "POST"])
def standing_declarations(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An expert's own links to organisations: those in force keep them off its cases."""
    form = StandingDeclarationForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and refusable(
            request,
            lambda: conflicts.standing_declaration_add(
                by=request.user,
                organisation=form.cleaned_data["organisation"],
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            ),
            _("Your declaration is recorded: you will not be assigned to this organisation's cases."),
        )
    ):
        return redirect("assessments:standing_declarations")
    return render(
        request,
        "assessments/standing_declarations.html",
        {"form": form, "declarations": selectors.standing_declarations_of(request.user)},
    )


@login_required
@require_POST
def standing_declaration_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # Only one's own: another expert's declaration is not found, whoever asks.
    declaration = get_object_or_404(StandingDeclaration, pk=pk, assessor=request.user)
    refusable(
        request,
        lambda: conflicts.standing_declaration_withdraw(declaration=declaration, by=request.user),
        _("The declaration is withdrawn; it stays in your history."),
    )
    return redirect("assessments:standing_declarations")
