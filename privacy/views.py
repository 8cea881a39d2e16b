"""Pages about personal data: the privacy notice, a person's own data, the office's erasures."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from common.errors import ActionRefused
from common.http import AuthenticatedHttpRequest
from common.permissions import permission_required
from privacy.erasure import person_erase
from privacy.exports import ExportGone, export_download, export_request
from privacy.forms import ErasureForm
from privacy.models import DataExport, Erasure


@require_GET
def policy(request: HttpRequest) -> HttpResponse:
    """Public: what the portal keeps, why, for how long, and how to ask."""
    return render(
        request,
        "privacy/policy.html",
        {"days": settings.PRIVACY_RETENTION_DAYS, "export_hours": settings.PRIVACY_EXPORT_HOURS},
    )


@login_required
@require_GET
def my_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    exports = DataExport.objects.filter(user=request.user)[:5]
    return render(request, "privacy/my_data.html", {"exports": exports, "export_hours": settings.PRIVACY_EXPORT_HOURS})


@login_required
@require_POST
def export_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    export_request(user=request.user, by=request.user)
    messages.success(request, _("Your copy is being prepared. Reload this page in a moment to download it."))
    return redirect("privacy:my_data")


@login_required
@require_GET
def export_file(request: AuthenticatedHttpRequest, token: str) -> HttpResponseBase:
    try:
        export = export_download(token=token, by=request.user)
    except ExportGone:
        return render(request, "privacy/export_gone.html", status=410)
    return FileResponse(
        export.file.open("rb"), as_attachment=True, filename=f"escaportal-my-data-{export.ready_at:%Y%m%d}.zip"
    )


@permission_required("privacy.view_erasures")
@require_http_methods(["GET", "POST"])
def erasures(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ErasureForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("privacy.erase_person"):
            raise PermissionDenied
        if form.is_valid():
            person = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
            if person is None:
                form.add_error("email", _("No account has this e-mail address."))
            else:
                try:
                    erasure = person_erase(
                        user=person,
                        reason=form.cleaned_data["reason"],
                        legal_basis=form.cleaned_data["legal_basis"],
                        by=request.user,
                    )
                except ActionRefused as refused:
                    form.add_error(None, str(refused))
                else:
                    messages.success(
                        request, _("The account is closed; the person is now %(pseudonym)s.") % {"pseudonym": erasure}
                    )
                    return redirect("privacy:erasures")
    done = Erasure.objects.select_related("processed_by")[:50]
    return render(request, "privacy/erasures.html", {"form": form, "erasures": done})
