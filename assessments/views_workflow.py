"""Pages of the assessment workflow: the assessor's declaration, scoring and
report; the organisation's answers to questions; the office's assignment and
quality check. The committee's decision pages live in the labels app."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from assessments import selectors
from assessments.answers import display
from assessments.enums import ACTIVE_ASSIGNMENT_STATES, ApplicationState, AssignmentState
from assessments.forms import (
    ClarificationAnswerForm,
    ClarificationForm,
    CompleteForm,
    DeclarationForm,
    ReturnForm,
    SectionScoresForm,
)
from assessments.models import Application, Assignment, Clarification, Indicator, Score, Section
from assessments.rules import assignments_of
from assessments.scoring import threshold_met
from assessments.services import assessing
from assessments.structure import structure_of
from common.actions import refusable
from common.errors import ActionRefused
from common.http import AuthenticatedHttpRequest
from common.permissions import permission_required
from common.scheme import rules_for

# --- Assessor -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def assignment_declare(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Shown before anything of the application: who and what, nothing more."""
    # A removed or voided expert has lost the case: not even its declaration page opens.
    assignment = get_object_or_404(
        Assignment.objects.select_related("application__organisation"),
        pk=pk,
        assessor=request.user,
        state__in=ACTIVE_ASSIGNMENT_STATES,
    )
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        no_conflict = bool(form.cleaned_data["no_conflict"])
        done = refusable(
            request,
            lambda: assessing.assignment_declare(
                assignment=assignment,
                by=request.user,
                no_conflict=no_conflict,
                reason=form.cleaned_data["reason"],
            ),
            _("Thank you: the case is open to you.")
            if no_conflict
            else _("You have declined; the label office will assign someone else."),
        )
        if done and no_conflict:
            return redirect("assessments:application_detail", pk=assignment.application_id)
        if done:
            return redirect("accounts:assessor_start")
    return render(request, "assessments/assignment_declare.html", {"assignment": assignment, "form": form})


def _scoring_rows(application: Application, section: Section, me: Assignment, agreeing: bool) -> list[dict[str, Any]]:
    rows = selectors.application_sections(application, only_section=section.code)[0].rows
    scores = list(
        Score.objects.filter(application=application, indicator__section=section).select_related("assignment__assessor")
    )
    shared = selectors.is_shared_scoring(application)
    all_submitted = not application.assignments.filter(
        state=AssignmentState.ACCEPTED, scores_submitted_at__isnull=True
    ).exists()
    # Grouped once: a lookup per indicator, not a pass over every score.
    own: dict[int, Score] = {}
    agreed_of: dict[int, Score] = {}
    others_of: dict[int, list[Score]] = {}
    for score in scores:
        if score.assignment_id is None:
            agreed_of[score.indicator_id] = score
        elif score.assignment_id == me.pk:
            own[score.indicator_id] = score
        else:
            others_of.setdefault(score.indicator_id, []).append(score)
    result = []
    for row in rows:
        mine = own.get(row.indicator.pk)
        agreed = agreed_of.get(row.indicator.pk)
        # With two experts, the other's score stays hidden until both submitted their own.
        others = others_of.get(row.indicator.pk, []) if all_submitted else []
        result.append(
            {
                "row": row,
                "answer": display(row.indicator, row.value),
                # The form edits what a save writes: the agreed score once agreeing, one's own before.
                "current": agreed if shared or agreeing else mine,
                # While agreeing, one's own verdict stays in sight beside the other's.
                "verdicts": ([mine] if agreeing and mine else []) + others,
                "differs": bool(others and mine and any(o.met != mine.met for o in others)),
                "suggestion": threshold_met(row.indicator, row.value, bool(row.evidence)),
            }
        )
    return result


def _scoring_page(
    request: AuthenticatedHttpRequest,
    application: Application,
    section: Section,
    clarification_form: ClarificationForm,
    sections: list[Section] | None = None,
) -> HttpResponse:
    """One section's scoring page; the question form comes back bound after an error, with what was typed."""
    # The scoring rule has just read the person's assignments (one read per request).
    me = next((a for a in assignments_of(request.user, application) if a.state == AssignmentState.ACCEPTED), None)
    if me is None:
        raise Http404
    shared = selectors.is_shared_scoring(application)
    agreeing = not shared and me.scores_submitted_at is not None
    if sections is None:
        sections = _sections_of(application)
    return render(
        request,
        "assessments/case_scoring.html",
        {
            "application": application,
            "section": section,
            "sections": sections,
            "rows": _scoring_rows(application, section, me, agreeing),
            "me": me,
            "shared": shared,
            "agreeing": agreeing,
            "clarification_form": clarification_form,
            "result": selectors.result_of(application),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_scoring(request: AuthenticatedHttpRequest, pk: int, code: str) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    if not request.user.has_perm("assessments.score_application", application):
        raise Http404
    sections = _sections_of(application)
    section = next((s for s in sections if s.code == code), None)
    if section is None:
        raise Http404
    if request.method == "POST":
        form = SectionScoresForm(request.POST, indicators=structure_of(application.version).indicators_of[section.pk])
        verdicts = form.verdicts() if form.is_valid() else []
        try:
            saved = assessing.scores_save(
                application=application,
                by=request.user,
                verdicts=verdicts,
            )
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("%(n)d score(s) saved.") % {"n": len(saved)})
        return redirect("assessments:case_scoring", pk=application.pk, code=code)
    return _scoring_page(request, application, section, ClarificationForm(), sections)


def _sections_of(application: Application) -> list[Section]:
    return list(structure_of(application.version).sections)


@login_required
@require_POST
def own_scores_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    refusable(
        request,
        lambda: assessing.own_scores_submit(application=application, by=request.user),
        _("Your own scores are handed in. Now agree the final scores with your fellow expert."),
    )
    return redirect("assessments:application_detail", pk=application.pk)


@login_required
@require_POST
def agreed_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    refusable(
        request,
        lambda: assessing.agreed_scores_confirm(application=application, by=request.user),
        _("You confirmed the agreed scores; your fellow expert is told."),
    )
    return redirect("assessments:application_detail", pk=application.pk)


@login_required
@require_POST
def disagreement_state(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    refusable(
        request,
        lambda: assessing.disagreement_state(
            application=application, by=request.user, position=request.POST.get("position", "")[:4000]
        ),
        _("Your position is recorded; once both experts have stated theirs, the label office reads them."),
    )
    return redirect("assessments:application_detail", pk=application.pk)


@login_required
@require_POST
def clarification_ask(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    form = ClarificationForm(request.POST)
    section = structure_of(application.version).section(request.POST.get("section", ""))
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    indicator = None
    if data.get("indicator"):
        indicator = get_object_or_404(Indicator, pk=data["indicator"], version=application.version)
    try:
        # An invalid form reaches the service as no question: it refuses after the permission
        # (a refused person learns nothing from the form), and the page shows the form's errors.
        assessing.clarification_ask(
            application=application,
            by=request.user,
            question=data.get("question", ""),
            due_on=data.get("due_on", timezone.localdate()),
            indicator=indicator,
        )
    except ActionRefused as refusal:
        asked = False
        messages.error(
            request, str(refusal) if valid else " ".join(str(e) for errs in form.errors.values() for e in errs)
        )
    else:
        asked = True
        messages.success(request, _("The question has been sent to the organisation."))
    if section is None:
        return redirect("assessments:application_detail", pk=application.pk)
    if not asked:
        # The page again, with the question as typed: a wrong date must not cost the text.
        return _scoring_page(request, application, section, form)
    return redirect("assessments:case_scoring", pk=application.pk, code=section.code)


@login_required
@require_http_methods(["GET", "POST"])
def case_complete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    if not request.user.has_perm("assessments.score_application", application):
        raise Http404
    form = CompleteForm(request.POST or None)
    sections = _sections_of(application)
    # Per group, as typed: given back unchanged when the form or the service refuses.
    recommendations = [(s, request.POST.get(f"rec-{s.code}", "")) for s in sections]
    if request.method == "POST" and form.is_valid():
        trimmed = {s.code: text.strip()[:4000] for s, text in recommendations}
        if refusable(
            request,
            lambda: assessing.assessment_complete(
                application=application,
                by=request.user,
                assessed_on=form.cleaned_data["assessed_on"],
                summary=form.cleaned_data["summary"],
                strengths=form.cleaned_data["strengths"],
                recommendations=trimmed,
            ),
            _("The assessment is complete and goes to the label office for quality check."),
        ):
            return redirect("assessments:application_detail", pk=application.pk)
    return render(
        request,
        "assessments/case_complete.html",
        {
            "application": application,
            "form": form,
            "recommendations": recommendations,
            "result": selectors.result_of(application),
        },
    )


# --- Organisation ------------------------------------------------------------------------------


@login_required
@require_POST
def clarification_answer(request: AuthenticatedHttpRequest, pk: int, clarification_pk: int) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    clarification = get_object_or_404(Clarification, pk=clarification_pk, application=application)
    form = ClarificationAnswerForm(request.POST, request.FILES)
    valid = form.is_valid()
    # An invalid form reaches the service as no answer: it refuses ("Write an answer.") after the permission.
    refusable(
        request,
        lambda: assessing.clarification_answer(
            clarification=clarification,
            by=request.user,
            answer=form.cleaned_data["answer"] if valid else "",
            upload=form.cleaned_data.get("file") if valid else None,
        ),
        _("Thank you: the assessor has your answer."),
    )
    return redirect("assessments:application_detail", pk=application.pk)


# --- Office ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    if not request.user.has_perm("assessments.assign_assessors", application):
        raise PermissionDenied
    offered = selectors.assessors_offered(application)
    if request.method == "POST":
        chosen_ids = {int(v) for v in request.POST.getlist("assessor") if v.isdigit()}
        chosen = list(User.objects.filter(pk__in=chosen_ids))
        if refusable(
            request,
            lambda: assessing.assignment_create(application=application, assessors=chosen, by=request.user),
            _("The experts are assigned and notified."),
        ):
            return redirect("assessments:application_detail", pk=application.pk)
    return render(
        request,
        "assessments/case_assign.html",
        {
            "application": application,
            "offered": offered,
            "assignments": application.assignments.select_related("assessor"),
            "needed": rules_for(application.level).assessors,
            # Who is not offered because of a standing declaration, and why: the office's to read.
            "declared_links": selectors.declared_links(application.organisation),
        },
    )


# What the office is told after each step of the quality check.
QUALITY_CHECK_DONE = {
    ApplicationState.IN_QUALITY_CHECK: gettext_lazy("The quality check has started."),
    ApplicationState.AWAITING_DECISION: gettext_lazy("The case is with the committee now."),
    ApplicationState.IN_ASSESSMENT: gettext_lazy("The case went back to the assessors with your note."),
}


@login_required
@require_POST
def case_quality(request: AuthenticatedHttpRequest, pk: int, to_state: str) -> HttpResponse:
    application = selectors.application_for(request.user, pk)
    if to_state not in (
        ApplicationState.IN_QUALITY_CHECK,
        ApplicationState.AWAITING_DECISION,
        ApplicationState.IN_ASSESSMENT,
    ):
        raise Http404
    note = ""
    if to_state == ApplicationState.IN_ASSESSMENT:
        form = ReturnForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Say what the assessors should look at again."))
            return redirect("assessments:application_detail", pk=application.pk)
        note = form.cleaned_data["note"]
    refusable(
        request,
        lambda: assessing.quality_check(
            application=application, by=request.user, to_state=ApplicationState(to_state), note=note
        ),
        str(QUALITY_CHECK_DONE[ApplicationState(to_state)]),
    )
    return redirect("assessments:application_detail", pk=application.pk)


@permission_required("assessments.view_office_cases")
def office_cases(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "assessments/office_cases.html", selectors.office_case_lists())


@login_required
def report_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The report PDF: to the organisation after the decision, to the office,
    the case's assessors and the committee as soon as it exists."""
    application = selectors.application_for(request.user, pk)
    report = getattr(application, "report", None)
    if (
        report is None
        or report.completed_at is None
        or not request.user.has_perm("assessments.view_result", application)
    ):
        raise Http404
    if not report.pdf or not report.pdf.storage.exists(report.pdf.name):
        return render(request, "assessments/report_pending.html", {"application": application}, status=202)
    return FileResponse(
        report.pdf.open("rb"),
        as_attachment=True,
        content_type="application/pdf",
        filename=f"assessment-report-{application.organisation.slug}-{application.level}.pdf",
    )
