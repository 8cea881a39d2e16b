"""Start pages of the scheme's own people (office, committee, policy readers), and the label import."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from accounts.selectors import assessor_pool, staff_role_counts
from assessments.models import Decision
from assessments.selectors import cases_awaiting_decision
from clusters import selectors as cluster_selectors
from clusters.models import ClusterOrganisation
from common.caching import conditional_response, data_version_of, public_page
from common.enums import Level
from common.errors import ActionRefused
from common.http import AuthenticatedHttpRequest
from common.permissions import permission_required
from common.scheme import all_rules
from labels import openbadges, services
from labels.certificates.jobs import certificate_job_create
from labels.certificates.language import label_set_certificate_language as certificate_language_set
from labels.certificates.rendering import certificate_missing, certificate_outdated, certificate_request
from labels.codes import CODE_MAX_LENGTH, code_normalise
from labels.enums import LabelState, MeetingState
from labels.forms import (
    CertificateLanguageForm,
    ImportUploadForm,
    LabelCorrectForm,
    LabelReinstateForm,
    LabelRevokeForm,
)
from labels.imports.jobs import import_job_create
from labels.logos import logo_png, logo_svg
from labels.models import CertificateJob, ImportJob, Label, Meeting
from labels.registry import (
    CURRENT,
    REGISTRY_KEPT_SECONDS,
    SORTS,
    BadCursor,
    Cursor,
    RegistryFilterForm,
    public_data_version,
    registry_content_key,
    registry_labels,
    registry_page,
    registry_rows,
    registry_total,
)
from labels.selectors import with_state
from labels.validity import label_state
from labels.verification import VerifiedLabel, budget_spend, budget_spent, verified_label
from labels.views_dashboard import LABEL_PAGE_QUERYSET, label_detail_page


@permission_required("labels.view_office_start")
def office_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = ClusterOrganisation.objects.all()
    # Read only when the page is drawn, not when it is kept ({% kept %}, common.kept).
    return render(
        request,
        "labels/office_start.html",
        {
            "pending": cluster_selectors.organisations_pending_validation()[:20],
            "pending_total": lambda: cluster_selectors.organisations_pending_validation().count(),
            "state_counts": SimpleLazyObject(lambda: cluster_selectors.organisation_counts_by_state(organisations)),
            "assessors": assessor_pool(),
            "role_counts": SimpleLazyObject(staff_role_counts),
        },
    )


@permission_required("labels.view_committee_start")
@require_GET
def committee_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The committee's start page: the cases awaiting a decision with their result,
    and the board's meetings where they are decided (``labels.views_board``)."""
    user = request.user
    # The meeting page asks the full rule per case; here a hint that costs no query.
    # Read only when the page is drawn, not when it is kept ({% kept %}, common.kept).
    rows = SimpleLazyObject(
        lambda: [{"case": case, "assessed_by_me": case.assessed_by_me} for case in cases_awaiting_decision(user)]
    )
    recent = Decision.objects.select_related("application__organisation", "decided_by").order_by("-decided_at")[:20]
    meetings = Meeting.objects.exclude(state=MeetingState.CLOSED).order_by("held_on", "id")
    return render(
        request,
        "labels/committee_start.html",
        {"rows": rows, "recent": recent, "level_rules": SimpleLazyObject(all_rules), "meetings": meetings},
    )


@require_GET
def policy_start(request: HttpRequest) -> HttpResponse:
    """The policy readers' old start page: the statistics are one page now."""
    return redirect("statistics:overview", permanent=True)


RECENT_IMPORTS = 10


@permission_required("labels.import_labels")
def import_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            job = import_job_create(
                file=form.cleaned_data["file"], uploaded_by=request.user, dry_run=form.cleaned_data["dry_run"]
            )
            return redirect("labels:import_detail", pk=job.pk)
    else:
        form = ImportUploadForm()
    recent = ImportJob.objects.select_related("uploaded_by")[:RECENT_IMPORTS]
    return render(request, "labels/import_upload.html", {"form": form, "recent": recent})


@permission_required("labels.import_labels")
def import_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("uploaded_by"), pk=pk)
    return render(request, "labels/import_detail.html", {"job": job, "certificate_job": job.certificate_jobs.first()})


@permission_required("labels.import_labels")
def import_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The part of the job page htmx polls until the job is finished; then the
    certificates of the new labels show their own progress."""
    job = get_object_or_404(ImportJob, pk=pk)
    return render(
        request, "labels/_import_progress.html", {"job": job, "certificate_job": job.certificate_jobs.first()}
    )


# What a verification address can carry: the codes' own characters, no longer than a code.
URL_SAFE_CODE_RE = re.compile(rf"^[A-Z0-9-]{{1,{CODE_MAX_LENGTH}}}$")

STATE_STYLE = {
    LabelState.VALID: "success",
    LabelState.EXPIRING: "warning",
    LabelState.RENEWABLE: "warning",
    LabelState.LAPSED: "secondary",
    LabelState.REVOKED: "danger",
    LabelState.SUPERSEDED: "secondary",
}


HELD_STATES = (LabelState.VALID, LabelState.EXPIRING)


@require_safe
@transaction.non_atomic_requests  # one read, no write: no transaction to open and commit
def verify(request: HttpRequest, code: str) -> HttpResponseBase:
    """Public: what a QR code on a certificate opens. Always tells the current truth."""
    if budget_spent(request):
        return _never_kept(_verify_limited(request))
    # Codes are stored in capitals: an exact match on the unique index, not a scan
    # of every label that a case-insensitive comparison would need.
    code = code_normalise(code)
    label = verified_label(code)
    if label is None:
        budget_spend(request)
        return _never_kept(render(request, "labels/verify_unknown.html", {"code": code}, status=404))
    # The page's version is the row it shows (the ETag adds the day, the language and the
    # reader): for a visitor, the one query that reads the label answers the conditional
    # GET too. A signed-in reader's header shows their roles, which change with the history.
    version = label.version if not request.user.is_authenticated else f"{label.version}.{public_data_version()}"
    return conditional_response(request, version, lambda: _verify_page(request, label), max_age=0)


def _verify_page(request: HttpRequest, label: VerifiedLabel) -> HttpResponse:
    today = timezone.localdate()
    state = label_state(label, today)
    # A renewal decided before the label it renews ran out starts when that one ends.
    starts_on = label.valid_from if label.valid_from > today and state in HELD_STATES else None
    return render(
        request,
        "labels/verify.html",
        {"label": label, "state": state, "style": STATE_STYLE[state], "starts_on": starts_on},
    )


def _never_kept(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)  # "not found", "too many requests": asked again each time
    return response


ResponseT = TypeVar("ResponseT", bound=HttpResponse)


def _verify_limited(request: HttpRequest) -> HttpResponse:
    minutes = int(settings.VERIFY_WINDOW.total_seconds() // 60)
    return _retry_after_window(render(request, "labels/verify_limited.html", {"minutes": minutes}, status=429))


def _retry_after_window(response: ResponseT) -> ResponseT:
    # The budget's window, an upper bound: the cache does not say how much of it is left.
    response["Retry-After"] = str(int(settings.VERIFY_WINDOW.total_seconds()))
    return response


def verify_search(request: HttpRequest) -> HttpResponse:
    """The verify box: a code typed by hand goes to the page its QR code opens."""
    code = code_normalise(request.GET.get("code", ""))
    if not code:
        return render(request, "labels/verify_unknown.html", {"code": ""})
    if not URL_SAFE_CODE_RE.match(code):
        # No label has such a code, and it would not fit in the page's address.
        if budget_spent(request):
            return _verify_limited(request)
        budget_spend(request)
        return render(request, "labels/verify_unknown.html", {"code": code[: CODE_MAX_LENGTH * 2]}, status=404)
    return redirect("verify", code=code)


@login_required
def certificate_download(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    """The certificate PDF, for the organisation's people and the scheme's staff."""
    label = get_object_or_404(Label.objects.select_related("organisation"), code=code)
    allowed = request.user.has_perm("clusters.view_organisation", label.organisation) or request.user.has_perm(
        "labels.view_committee_start"
    )
    if not allowed:
        raise Http404
    if certificate_missing(label) or certificate_outdated(label):
        # Imported and seeded labels, a lost file, or one that no longer shows the facts (a
        # correction, another SITE_URL in its QR code): render it now (once), the page checks again.
        certificate_request(label=label)
        return render(request, "labels/certificate_pending.html", {"label": label}, status=202)
    return FileResponse(
        label.certificate.open("rb"),
        as_attachment=True,
        content_type="application/pdf",
        filename=f"certificate-{label.code}.pdf",
    )


@public_page(public_data_version)
def registry(request: HttpRequest) -> HttpResponse:
    """Public: the labelled organisations, like the scheme's own list but searchable,
    fifty at a time by a cursor (``labels.registry``): any page costs the same."""
    today = timezone.localdate()
    can_manage = request.user.is_authenticated and request.user.has_perm("labels.manage_label")
    version = data_version_of(request) or public_data_version()
    # The same for every reader of this address, day, language and data: drawn once, kept.
    key = registry_content_key(version, request.GET.urlencode(), today, can_manage)
    kept = cache.get(key)
    if kept is None:
        kept = _registry_content(request, today, version, can_manage)
        cache.set(key, kept, REGISTRY_KEPT_SECONDS)
    return render(request, "labels/registry.html", kept)


def _registry_content(request: HttpRequest, today: date, version: str, can_manage: bool) -> dict[str, Any]:
    """The registry's filters, table and page links as HTML, and the links for the page's head."""
    data = request.GET.copy()
    data.setdefault("state", CURRENT)
    form = RegistryFilterForm(data)
    filters = form.cleaned_data if form.is_valid() else {"state": CURRENT}
    sort = filters.get("sort") or "name"
    if sort not in SORTS:
        sort = "name"
    cursor, cursor_refused = None, False
    if request.GET.get("cursor"):
        try:
            cursor = Cursor.decode(request.GET["cursor"], sort)
        except BadCursor:
            cursor_refused = True
    page = registry_page(registry_labels(filters, today), sort, cursor)
    # The links keep the filters and change only the cursor.
    kept = request.GET.copy()
    kept.pop("cursor", None)
    kept.pop("page", None)
    links = {}
    for name, token in (("next", page.next_cursor), ("previous", page.previous_cursor)):
        if token:
            kept["cursor"] = token
            links[name] = "?" + kept.urlencode()
    filtered = any(filters.get(field) for field in ("q", "country", "level", "sector")) or (
        filters.get("state", CURRENT) != CURRENT
    )
    context = {
        "form": form,
        "page": page,
        "rows": registry_rows(page),
        "links": links,
        "total": registry_total(today, version),
        "filtered": filtered,
        "cursor_refused": cursor_refused,
        "can_manage": can_manage,
    }
    # Our own template's output, escaped when it was drawn.
    return {"content": mark_safe(render_to_string("labels/_registry_content.html", context)), "links": links}


@public_page(public_data_version)
def registry_organisation(request: HttpRequest, slug: str) -> HttpResponse:
    """Public: an organisation that holds or held a label, with its label history."""
    organisation = get_object_or_404(ClusterOrganisation.objects.filter(labels__isnull=False).distinct(), slug=slug)
    labels = with_state(organisation.labels.all(), timezone.localdate()).order_by("-valid_until")
    return render(
        request,
        "labels/registry_organisation.html",
        {"organisation": organisation, "labels": labels, "sectors": organisation.sectors.all()},
    )


@require_GET
def label_manage(request: HttpRequest, code: str) -> HttpResponse:
    """The office's old page of one label: its forms now live on the label's one page."""
    return redirect("labels:label_detail", code=code, permanent=True)


def _label_action(
    request: HttpRequest,
    code: str,
    form_class: type[forms.Form],
    name: str,
    act: Callable[[Label, dict[str, Any]], str],
) -> HttpResponse:
    """Validate one action's form, run its service, say what happened; a refusal keeps what was typed."""
    label = get_object_or_404(LABEL_PAGE_QUERYSET, code=code)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            messages.success(request, act(label, form.cleaned_data))
        except ActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect("labels:label_detail", code=label.code)
    return label_detail_page(request, label, status=400, **{name: form})


@permission_required("labels.revoke_label")
@require_POST
def label_revoke(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    def act(label: Label, data: dict[str, Any]) -> str:
        services.label_revoke(label=label, by=request.user, reason=data["reason"])
        return _("The label is revoked; verification says so now.")

    return _label_action(request, code, LabelRevokeForm, "revoke_form", act)


@permission_required("labels.reinstate_label")
@require_POST
def label_reinstate(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    def act(label: Label, data: dict[str, Any]) -> str:
        services.label_reinstate(label=label, by=request.user, reason=data["reason"])
        return _("The label is reinstated; verification says so now.")

    return _label_action(request, code, LabelReinstateForm, "reinstate_form", act)


@permission_required("labels.correct_label")
@require_POST
def label_correct(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    def act(label: Label, data: dict[str, Any]) -> str:
        services.label_correct(
            label=label,
            by=request.user,
            reason=data["reason"],
            valid_until=data["valid_until"],
            organisation_name=data["organisation_name"],
        )
        return _("The label is corrected; its certificate is being rendered again.")

    return _label_action(request, code, LabelCorrectForm, "correct_form", act)


@permission_required("labels.choose_certificate_language")
@require_POST
def label_certificate_language(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    def act(label: Label, data: dict[str, Any]) -> str:
        certificate_language_set(
            label=label,
            language=data["certificate_language"],
            by=request.user,
        )
        return _("The certificate's language is saved; it is being rendered again.")

    return _label_action(request, code, CertificateLanguageForm, "language_form", act)


def label_logo(request: HttpRequest, level: str, extension: str) -> HttpResponse:
    """Public: the level's badge, for an organisation's website (cacheable for a day)."""
    if level not in Level.values or extension not in ("svg", "png"):
        raise Http404
    if extension == "svg":
        response = HttpResponse(logo_svg(Level(level)), content_type="image/svg+xml")
    else:
        response = HttpResponse(logo_png(Level(level)), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@permission_required("labels.regenerate_certificates")
@require_http_methods(["GET", "POST"])
def certificates_regenerate(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        job = certificate_job_create(by=request.user)
        return redirect("labels:certificate_job", pk=job.pk)
    jobs = CertificateJob.objects.select_related("created_by")[:10]
    return render(request, "labels/certificates_regenerate.html", {"jobs": jobs})


@permission_required("labels.regenerate_certificates")
def certificate_job(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(CertificateJob, pk=pk)
    template = (
        "labels/_certificate_job_progress.html" if request.headers.get("HX-Request") else "labels/certificate_job.html"
    )
    return render(request, template, {"job": job})


def _json(document: dict[str, object], download: str | None = None) -> JsonResponse:
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Type"] = "application/ld+json"
    if download:
        response["Content-Disposition"] = f'attachment; filename="{download}"'
    return response


def ob_credential(request: HttpRequest, code: str) -> JsonResponse:
    """Public: the label as a signed Open Badges 3.0 credential; shares verification's budget."""
    if budget_spent(request):
        return _retry_after_window(JsonResponse({"detail": _("Too many unknown codes from this address.")}, status=429))
    label = Label.objects.select_related("organisation").filter(code=code).first()
    if label is None:
        budget_spend(request)
        raise Http404
    download = f"{label.code}.openbadge.json" if request.GET.get("download") else None
    return _json(openbadges.credential_for(label), download)


def ob_issuer(request: HttpRequest) -> JsonResponse:
    return _json(openbadges.issuer_profile())


@never_cache
def ob_status(request: HttpRequest) -> JsonResponse:
    return _json(openbadges.status_list_credential())


def ob_achievement(request: HttpRequest, level: str) -> JsonResponse:
    if level not in Level.values:
        raise Http404
    return _json(openbadges.achievement(Level(level)))
