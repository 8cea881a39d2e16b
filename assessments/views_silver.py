"""The Silver case's own pages: the manager chooses the improvement areas from the
first benchmarking's recommendations; the auditor validates each one after the visit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assessments import selectors
from assessments.forms import AreaValidationForm, ImprovementAreasForm
from assessments.models import Application, SilverImprovementArea
from assessments.services import silver
from assessments.silver import benchmarking_recommendations, gold_criteria
from common.enums import Level
from common.errors import ActionRefused
from common.http import AuthenticatedHttpRequest
from common.scheme import rules_for


def _silver_application(request: AuthenticatedHttpRequest, pk: int) -> Application:
    application = selectors.application_for(request.user, pk)
    if application.level != Level.SILVER:
        raise Http404
    return application


@login_required
@require_http_methods(["GET", "POST"])
def improvement_areas(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The areas chosen so far and, for the manager of a draft, the form that chooses them."""
    application = _silver_application(request, pk)
    offered = benchmarking_recommendations(application)
    count = rules_for(Level.SILVER).improvement_areas
    if request.method == "POST":
        form = ImprovementAreasForm(request.POST, recommendations=offered, count=count)
        chosen = form.chosen() if form.is_valid() else []
        try:
            # An invalid form reaches the service as no choice: it refuses after the permission.
            silver.improvement_areas_choose(
                application=application,
                by=request.user,
                sources=chosen if form.offered else [],
                texts=[] if form.offered else chosen,
            )
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("The improvement areas are saved."))
            return redirect("assessments:application_detail", pk=application.pk)
        return redirect("assessments:improvement_areas", pk=application.pk)
    areas = list(application.improvement_areas.order_by("position"))
    initial = {f"area_{a.position}": a.source if offered else a.recommendation for a in areas}
    return render(
        request,
        "assessments/improvement_areas.html",
        {
            "application": application,
            "areas": areas,
            "offered": offered,
            "form": ImprovementAreasForm(recommendations=offered, count=count, initial=initial),
            "can_choose": request.user.has_perm("assessments.choose_improvement_areas", application),
            "can_see_result": request.user.has_perm("assessments.view_result", application),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def improvement_areas_validate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The auditor's page: each area with its verdict against a Gold criterion. Hidden from
    everyone else, like the scoring pages."""
    application = _silver_application(request, pk)
    if not request.user.has_perm("assessments.validate_improvement_areas", application):
        raise Http404
    criteria = gold_criteria()
    if request.method == "POST":
        form = AreaValidationForm(request.POST, criteria=criteria)
        if form.is_valid():
            area = get_object_or_404(SilverImprovementArea, pk=form.cleaned_data["area"], application=application)
            try:
                silver.improvement_area_validate(
                    area=area,
                    by=request.user,
                    validated=form.cleaned_data["validated"] == "yes",
                    gold_criterion=form.cleaned_data["gold_criterion"],
                    note=form.cleaned_data["note"],
                )
            except ActionRefused as refusal:
                messages.error(request, str(refusal))
            else:
                messages.success(request, _("Area %(n)d recorded.") % {"n": area.position})
        else:
            messages.error(request, _("Choose validated or not validated, and a Gold criterion from the list."))
        return redirect("assessments:improvement_areas_validate", pk=application.pk)
    areas = list(application.improvement_areas.order_by("position"))
    return render(
        request,
        "assessments/improvement_areas_validate.html",
        {
            "application": application,
            "areas": areas,
            "criteria": criteria,
            "result": selectors.result_of(application),
        },
    )
