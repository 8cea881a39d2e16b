"""Start pages of the scheme's own people (office, committee, policy readers), and the label import."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.models import User
from accounts.selectors import assessor_pool, staff_role_counts
from clusters import selectors as cluster_selectors
from clusters.models import ClusterOrganisation
from common.permissions import permission_required
from common.scheme import all_rules
from labels.forms import ImportUploadForm
from labels.models import ImportJob
from labels.services import import_job_create


@permission_required("labels.view_office_start")
def office_start(request: HttpRequest) -> HttpResponse:
    organisations = ClusterOrganisation.objects.all()
    return render(
        request,
        "labels/office_start.html",
        {
            "pending": cluster_selectors.organisations_pending_validation()[:20],
            "pending_total": cluster_selectors.organisations_pending_validation().count(),
            "state_counts": cluster_selectors.organisation_counts_by_state(organisations),
            "assessors": assessor_pool(),
            "role_counts": staff_role_counts(),
        },
    )


@permission_required("labels.view_committee_start")
def committee_start(request: HttpRequest) -> HttpResponse:
    return render(request, "labels/committee_start.html", {"level_rules": all_rules()})


@permission_required("labels.view_statistics")
def policy_start(request: HttpRequest) -> HttpResponse:
    organisations = ClusterOrganisation.objects.all()
    return render(
        request,
        "labels/policy_start.html",
        {
            "by_country": cluster_selectors.organisation_counts_by_country(organisations),
            "by_sector": cluster_selectors.organisation_counts_by_sector(organisations),
            "state_counts": cluster_selectors.organisation_counts_by_state(organisations),
        },
    )


RECENT_IMPORTS = 10


@permission_required("labels.import_labels")
def import_upload(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            # permission_required lets only signed-in people this far.
            uploader = cast(User, request.user)
            job = import_job_create(
                file=form.cleaned_data["file"], uploaded_by=uploader, dry_run=form.cleaned_data["dry_run"]
            )
            return redirect("labels:import_detail", pk=job.pk)
    else:
        form = ImportUploadForm()
    recent = ImportJob.objects.select_related("uploaded_by")[:RECENT_IMPORTS]
    return render(request, "labels/import_upload.html", {"form": form, "recent": recent})


@permission_required("labels.import_labels")
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("uploaded_by"), pk=pk)
    return render(request, "labels/import_detail.html", {"job": job})


@permission_required("labels.import_labels")
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The part of the job page htmx polls until the job is finished."""
    job = get_object_or_404(ImportJob, pk=pk)
    return render(request, "labels/_import_progress.html", {"job": job})
