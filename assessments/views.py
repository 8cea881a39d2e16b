"""The cluster manager's side of an application: start, fill in, upload, submit.

Every page resolves the application through ``selectors.application_for``:
whoever may not see it gets a 404. Autosave posts one answer at a time (htmx)
and answers with a small status fragment; without JavaScript the same forms
post normally and come back to the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments import selectors
from assessments.answers import AnswerInvalid
from assessments.enums import CLOSED_STATES, ApplicationState, AssignmentState
from assessments.forms import ClarificationAnswerForm, ReturnForm
from assessments.models import Application, Evidence, Indicator
from assessments.providers import case_panels
from assessments.questionnaires.selectors import published_version
from assessments.rules import assignments_of
from assessments.services import applications
from assessments.structure import structure_of
from clusters.selectors import application_blockers, organisation_for
from common.enums import Level
from common.errors import ActionRefused
from common.http import AuthenticatedHttpRequest
from common.scheme import rules_for


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
@require_http_methods(["GET", "POST"])
def application_new(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_for(request.user, slug)
    if not request.user.has_perm("assessments.start_application", organisation):
        raise PermissionDenied
    if request.method == "POST":
        level = request.POST.get("level", "")
        if level not in Level.values:
            messages.error(request, _("Choose a level."))
        else:
            try:
                application = applications.application_start(
                    organisation=organisation, level=Level(level), by=request.user
                )
            except ActionRefused as refusal:
                messages.error(request, str(refusal))
            else:
                messages.success(request, _("Your %(level)s application is open.") % {"level": Level(level).label})
                return redirect("assessments:application_detail", pk=application.pk)
    blockers = application_blockers(organisation)
    today = timezone.localdate()
    levels = []
    for level in Level:
        open_one = selectors.open_application(organisation, level)
        problem = applications.timing_problem(organisation, level, today)
        levels.append(
            {
                "level": level,
                "open": open_one,
                "problem": problem,
                "renewal": selectors.previous_application(organisation, level),
                "rules": rules_for(level),
                "published": published_version(level) is not None,
            }
        )
    # A reminder's link names the level to renew; that card is marked.
    suggested = request.GET.get("level", "")
    return render(
        request,
        "assessments/application_new.html",
        {
            "organisation": organisation,
            "blockers": blockers,
            "levels": levels,
            "suggested": suggested if suggested in Level.values else "",
        },
    )


@login_required
@require_GET
def application_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for(request.user, pk, also=("report", "decision"))
    sections = selectors.sections_progress(application)
    done, total = selectors.progress(sections)
    return render(
        request,
        "assessments/application_detail.html",
        {
            "application": application,
            "sections": sections,
            "done": done,
            "total": total,
            "percent": _percent(done, total),
            "transitions": selectors.transitions_of(application),
            # What the apps above add to the case (billing: quote, invoice, payment first).
            "case_panels": case_panels(request, application),
            "can_submit": request.user.has_perm("assessments.submit_application", application),
            "can_withdraw": request.user.has_perm("assessments.withdraw_application", application)
            and application.state not in CLOSED_STATES,
            **_workflow_context(request, application, sections),
        },
    )


def _workflow_context(
    request: AuthenticatedHttpRequest, application: Application, sections: list[selectors.SectionProgress]
) -> dict[str, Any]:
    """What the assessment workflow adds to the application page, by who is looking."""
    user = request.user
    is_office = user.has_perm("assessments.assign_assessors", application)
    # The rules have read the person's assignments on the case already (one read per request).
    my_assignment = next(
        (a for a in assignments_of(user, application) if a.state == AssignmentState.ACCEPTED),
        None,
    )
    is_member = user.has_perm("assessments.answer_clarification", application)
    show_assessors = user.has_perm("assessments.view_assessors", application)
    return {
        "assignments": application.assignments.select_related("assessor") if show_assessors else [],
        "show_assessors": show_assessors,
        "can_see_result": user.has_perm("assessments.view_result", application),
        "clarifications": selectors.clarifications_of(application),
        "answer_form": ClarificationAnswerForm(),
        "report": getattr(application, "report", None),
        "decision": getattr(application, "decision", None),
        "is_office": is_office,
        "is_member": is_member,
        "my_assignment": my_assignment,
        "scoring_open": my_assignment is not None
        and application.state in (ApplicationState.IN_ASSESSMENT, ApplicationState.CLARIFICATION_REQUESTED),
        "first_section": sections[0].section if sections else None,
        "return_form": ReturnForm(),
        # Two experts agreeing: who confirmed the agreed scores, and each one's position
        # on what they still disagree on (the office reads both).
        "agreeing": my_assignment is not None
        and not selectors.is_shared_scoring(application)
        and not application.assignments.filter(
            state=AssignmentState.ACCEPTED, scores_submitted_at__isnull=True
        ).exists(),
        "positions": application.assignments.exclude(position="").select_related("assessor") if show_assessors else [],
        "can_manage_clarifications": user.has_perm("assessments.manage_clarifications", application),
    }


@login_required
@require_GET
def application_section(request: AuthenticatedHttpRequest, pk: int, code: str) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    all_sections = selectors.application_sections(application)
    current = next((s for s in all_sections if s.section.code == code), None)
    if current is None:
        return redirect("assessments:application_detail", pk=application.pk)
    index = all_sections.index(current)
    done, total = selectors.progress(all_sections)
    return render(
        request,
        "assessments/application_section.html",
        {
            "application": application,
            "current": current,
            "sections": all_sections,
            "previous_section": all_sections[index - 1] if index > 0 else None,
            "next_section": all_sections[index + 1] if index + 1 < len(all_sections) else None,
            "editable": request.user.has_perm("assessments.edit_answers", application),
            "done": done,
            "total": total,
            "percent": _percent(done, total),
        },
    )


def _indicator_of(application: Application, indicator_pk: int) -> Indicator:
    """The case's questionnaire's indicator, as the process keeps it (read it, never change it)."""
    indicator = structure_of(application.version).indicator(indicator_pk)
    if indicator is None:
        raise Http404
    return indicator


@login_required
@require_POST
def answer_save(request: AuthenticatedHttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    indicator = _indicator_of(application, indicator_pk)
    try:
        revision = int(request.POST.get("revision", "0"))
    except ValueError:
        revision = -1
    status, error, answer = "saved", "", None
    try:
        answer = applications.answer_save(
            application=application,
            indicator=indicator,
            raw=request.POST.getlist("value"),
            revision=revision,
            by=request.user,
        )
    except applications.AnswerConflict as conflict:
        status, error = "conflict", str(conflict)
    except (AnswerInvalid, ActionRefused) as refusal:
        status, error = "invalid", str(refusal)
    if _is_htmx(request):
        # Always 200: the fragment itself says what happened, and htmx swaps it;
        # after a save it also brings the section page's progress bar up to date.
        context: dict[str, Any] = {"indicator": indicator, "status": status, "error": error, "answer": answer}
        if status == "saved":
            done, total = selectors.progress_of(application)
            context.update(show_progress=True, done=done, total=total, percent=_percent(done, total))
        return render(request, "assessments/_answer_status.html", context)
    if error:
        messages.error(request, f"{indicator.code}: {error}")
    else:
        messages.success(request, _("Saved."))
    return redirect(_section_url(application, indicator))


def _percent(done: int, total: int) -> int:
    return round(100 * done / total) if total else 100


def _section_url(application: Application, indicator: Indicator) -> str:
    url = reverse("assessments:application_section", args=[application.pk, indicator.section.code])
    return f"{url}#indicator-{indicator.pk}"


@login_required
@require_POST
def evidence_upload(request: AuthenticatedHttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    indicator = _indicator_of(application, indicator_pk)
    error = ""
    try:
        # No file is the service's to refuse too, after the permission.
        applications.evidence_add(
            application=application, indicator=indicator, upload=request.FILES.get("file"), by=request.user
        )
    except ActionRefused as refusal:
        error = str(refusal)
    if _is_htmx(request):
        return _evidence_fragment(request, application, indicator, error)
    if error:
        messages.error(request, f"{indicator.code}: {error}")
    else:
        messages.success(request, _("The file has been uploaded."))
    return redirect(_section_url(application, indicator))


def _evidence_fragment(
    request: HttpRequest, application: Application, indicator: Indicator, error: str
) -> HttpResponse:
    evidence = Evidence.objects.filter(application=application, indicator=indicator).order_by("uploaded_at")
    # A file may complete an item (evidence required, or a file answer): the section's progress bar follows.
    done, total = selectors.progress(selectors.application_sections(application))
    return render(
        request,
        "assessments/_evidence_list.html",
        {
            "application": application,
            "indicator": indicator,
            "evidence": evidence,
            "error": error,
            "editable": request.user.has_perm("assessments.edit_answers", application),
            "show_progress": True,
            "done": done,
            "total": total,
            "percent": _percent(done, total),
        },
    )


@login_required
@require_GET
def evidence_download(request: AuthenticatedHttpRequest, pk: int, evidence_pk: int) -> FileResponse:
    application = selectors.application_for(request.user, pk)
    evidence = get_object_or_404(Evidence, pk=evidence_pk, application=application)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def evidence_delete(request: AuthenticatedHttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    evidence = get_object_or_404(Evidence, pk=evidence_pk, application=application)
    indicator = evidence.indicator
    applications.evidence_remove(evidence=evidence, by=request.user)
    if _is_htmx(request):
        return _evidence_fragment(request, application, indicator, "")
    messages.success(request, _("The file has been removed."))
    return redirect(_section_url(application, indicator))


@login_required
@require_http_methods(["GET", "POST"])
def application_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    if request.method == "POST":
        try:
            applications.application_submit(application=application, by=request.user)
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request, _("Your application has been submitted. The label office will assign an assessor.")
            )
            return redirect("assessments:application_detail", pk=application.pk)
    sections = selectors.application_sections(application)
    return render(
        request,
        "assessments/application_submit.html",
        {
            "application": application,
            "missing": selectors.missing_items(sections),
            # The whole answer sheet, to read through before the answers are locked.
            "sections": sections,
            "can_submit": request.user.has_perm("assessments.submit_application", application),
        },
    )


@login_required
@require_POST
def application_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    try:
        applications.application_withdraw(
            application=application, by=request.user, reason=request.POST.get("reason", "")
        )
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The application has been withdrawn."))
    return redirect("assessments:application_detail", pk=application.pk)
