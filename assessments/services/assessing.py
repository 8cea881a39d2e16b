"""Services of the assessment workflow: assignment and impartiality, scoring,
clarifications, completion and quality check. Every state change goes through
``services.application_transition``; the decision itself is the labels app's
``labels.decisions.application_decide`` (it creates the label)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from celery import shared_task
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.enums import StaffRole
from accounts.models import User
from accounts.selectors import people_with_role
from assessments.enums import ACTIVE_ASSIGNMENT_STATES, ASSIGNABLE_STATES, ApplicationState, AssignmentState
from assessments.models import (
    OPEN_CLARIFICATION,
    Application,
    AssessmentReport,
    Assignment,
    Clarification,
    Indicator,
    Score,
)
from assessments.providers import assignment_blockers
from assessments.scoring import Verdict
from assessments.selectors import (
    assessors_offered,
    declared_links,
    is_shared_scoring,
    result_of,
    with_organisation_key,
)
from assessments.services.applications import application_transition, evidence_for_clarification
from assessments.services.workflow import ASSIGNMENT_WORKFLOW
from clusters.services import managers_of
from common.bulk import rows_update
from common.enums import Level
from common.errors import ActionRefused
from common.notify import notify
from common.prepared import Prepared
from common.request_cache import forget
from common.scheme import rules_for
from common.services import history_record
from common.workflow import transition


def _case_url(application: Application) -> str:
    return reverse("assessments:application_detail", args=[application.pk])


# Every step of an assessment starts here: compiled once per process.
_case_lock = Prepared(
    lambda pk: with_organisation_key(Application.objects.select_for_update().select_related("organisation"), pk)
)


def _lock(application: Application) -> Application:
    locked = _case_lock.first(application.pk)
    if locked is None:
        raise Application.DoesNotExist(application.pk)
    forget()  # rules answer from rows read under the lock, not earlier in the request
    return locked


# --- Assignment and impartiality ---------------------------------------------------------


@transaction.atomic
def assignment_create(*, application: Application, assessors: Sequence[User], by: User) -> list[Assignment]:
    """The office assigns the experts the level needs (Bronze one, Silver one,
    Gold two: one from the organisation's country, one from another).

    Side effects: the case moves to assessor assignment; each expert is notified
    (in the portal and by e-mail) after commit. Refused while an app above holds
    it back (``providers.assignment_blockers``: billing's payment first).
    """
    application = _lock(application)
    if not by.has_perm("assessments.assign_assessors", application):
        raise PermissionDenied
    if application.state not in ASSIGNABLE_STATES:
        raise ActionRefused(_("Assessors are assigned to submitted applications only."))
    # The apps above may hold the assignment back (billing: payment first, if configured).
    blockers = assignment_blockers(application)
    if blockers:
        raise ActionRefused(" ".join(blockers))
    chosen = list(dict.fromkeys(assessors))
    linked = declared_links(application.organisation, [person.pk for person in chosen])
    if linked:
        raise ActionRefused(
            _("%(names)s declared a link to %(org)s (%(links)s) and cannot assess it.")
            % {
                "names": ", ".join(sorted({d.assessor.get_full_name() for d in linked})),
                "org": application.organisation.name,
                "links": ", ".join(sorted({d.get_kind_display() for d in linked})),
            }
        )
    offered = {p.user_id: p for p in assessors_offered(application)}
    if any(person.pk not in offered for person in chosen):
        raise ActionRefused(
            _("Choose among the experts offered: certified for the level, and never members of the organisation.")
        )
    active = list(
        application.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES).select_related("assessor__assessor_profile")
    )
    needed = rules_for(application.level).assessors
    if len(active) + len(chosen) != needed:
        raise ActionRefused(
            ngettext(
                "A %(level)s case needs %(n)d expert; %(have)d assigned, %(chosen)d chosen.",
                "A %(level)s case needs %(n)d experts; %(have)d assigned, %(chosen)d chosen.",
                needed,
            )
            % {"level": Level(application.level).label, "n": needed, "have": len(active), "chosen": len(chosen)}
        )
    if application.level == Level.GOLD:
        homes = [a.assessor.assessor_profile.home_country.code for a in active] + [
            offered[p.pk].home_country.code for p in chosen
        ]
        country = application.organisation.country.code
        if homes.count(country) != 1:
            raise ActionRefused(
                _(
                    "A Gold case needs one expert from the organisation's country (%(country)s) "
                    "and one from another country."
                )
                % {"country": application.organisation.country.name}
            )
    created = [Assignment.objects.create(application=application, assessor=p, assigned_by=by) for p in chosen]
    history_record(
        obj=application,
        action="assignment.created",
        by=by,
        data={"assessors": ", ".join(str(person.pk) for person in chosen)},
    )
    if application.state == ApplicationState.SUBMITTED:
        application_transition(application=application, to_state=ApplicationState.ASSESSOR_ASSIGNMENT, by=by)
    transaction.on_commit(lambda: _notify_assigned([a.pk for a in created]))
    return created


def _notify_assigned(assignment_ids: list[int]) -> None:
    for assignment in Assignment.objects.filter(pk__in=assignment_ids).select_related("assessor", "application"):
        notify(
            people=[assignment.assessor],
            template="assessments/email/assigned",
            context={"assignment": assignment},
            url=reverse("assessments:assignment_declare", args=[assignment.pk]),
        )


CONTRADICTORY_DECLARATION = gettext_lazy(
    'You ticked "no conflict of interest" and also wrote a reason to decline. Untick the box to decline '
    "with this reason, or clear the text to declare no conflict."
)


@transaction.atomic
def assignment_declare(*, assignment: Assignment, by: User, no_conflict: bool, reason: str = "") -> Assignment:
    """The expert declares, before seeing anything, that they have no conflict of
    interest, or declines with a reason (which returns the case to the office).

    Side effects: when every expert has declared no conflict, the case moves to
    assessment; a decline returns it to assessor assignment, and the office is
    told (an effect of ``ASSIGNMENT_WORKFLOW``).
    """
    application = _lock(assignment.application)
    if not by.has_perm("assessments.answer_assignment", assignment):
        raise PermissionDenied
    if no_conflict and reason.strip():
        # Ticked "no conflict" and wrote one: which is meant is the expert's to say, never ours to guess.
        raise ActionRefused(CONTRADICTORY_DECLARATION)
    to_state = AssignmentState.ACCEPTED if no_conflict else AssignmentState.DECLINED
    # The declaration is the office's to read: a deliberation in the history (labels.history).
    assignment = transition(ASSIGNMENT_WORKFLOW, obj=assignment, to_state=to_state, by=by, note=reason)
    history_record(
        obj=application,
        action="assignment.declared",
        by=by,
        data={"assignment": assignment.pk, "no_conflict": no_conflict},
        reason="" if no_conflict else reason,
    )
    if no_conflict:
        accepted = application.assignments.filter(state=AssignmentState.ACCEPTED).count()
        if (
            accepted == rules_for(application.level).assessors
            and application.state == ApplicationState.ASSESSOR_ASSIGNMENT
        ):
            application_transition(application=application, to_state=ApplicationState.IN_ASSESSMENT, by=by)
    elif application.state == ApplicationState.IN_ASSESSMENT:
        application_transition(
            application=application, to_state=ApplicationState.ASSESSOR_ASSIGNMENT, by=by, note=_("An expert declined.")
        )
    return assignment


def _office() -> list[User]:
    return people_with_role(StaffRole.LABEL_OFFICE)


# --- Scoring --------------------------------------------------------------------------------


def _my_assignment(application: Application, by: User) -> Assignment:
    assignment = application.assignments.filter(assessor=by, state=AssignmentState.ACCEPTED).first()
    if assignment is None:
        raise PermissionDenied
    return assignment


def _scoring_open(application: Application) -> None:
    if application.state not in (ApplicationState.IN_ASSESSMENT, ApplicationState.CLARIFICATION_REQUESTED):
        raise ActionRefused(_("Scores can be changed only while the case is in assessment."))


def _score_owner(application: Application, assignment: Assignment, *, agreed: bool) -> Assignment | None:
    """Whose score a save writes: the expert's own, or the agreed one (no assignment).

    With one expert their score is the agreed one. With two, each scores alone
    until handing in; agreed scores are written only once both handed in.
    """
    if is_shared_scoring(application):
        return None
    if agreed:
        if application.assignments.filter(state=AssignmentState.ACCEPTED, scores_submitted_at__isnull=True).exists():
            raise ActionRefused(_("Both experts must submit their own scores before agreeing the final ones."))
        return None
    if assignment.scores_submitted_at is not None:
        raise ActionRefused(_("You have submitted your own scores; change the agreed scores instead."))
    return assignment


def _score_fields(verdict: Verdict, by: User) -> dict[str, Any]:
    """A verdict's stored values; the points are the questionnaire's: all if met, none if not."""
    indicator, met = verdict.indicator, verdict.met
    points = None if met is None or indicator.max_points is None else indicator.max_points if met else 0
    return {
        "met": met,
        "points": points,
        "comment": verdict.comment.strip(),
        "recommendation": verdict.recommendation.strip(),
        "updated_by": by,
        "updated_at": timezone.now(),
    }


@transaction.atomic
def scores_save(
    *, application: Application, by: User, verdicts: Sequence[Verdict], agreed: bool | None = None
) -> list[Score]:
    """Save an expert's verdicts on a section's indicators: all of them or none.

    ``agreed`` None writes what the expert's stage calls for: their own scores
    until they hand them in, the agreed ones afterwards. One lock on the
    application, one read of the existing scores, one insert and one update.
    Side effects: none.
    """
    application = _lock(application)
    if not by.has_perm("assessments.score_application", application):
        raise PermissionDenied
    _scoring_open(application)
    if any(verdict.indicator.version_id != application.version_id for verdict in verdicts):
        raise ActionRefused(_("This question does not belong to the application's questionnaire."))
    assignment = _my_assignment(application, by)
    if agreed is None:
        agreed = not is_shared_scoring(application) and assignment.scores_submitted_at is not None
    owner = _score_owner(application, assignment, agreed=agreed)
    existing = {
        score.indicator_id: score
        for score in Score.objects.filter(
            application=application, assignment=owner, indicator__in=[verdict.indicator for verdict in verdicts]
        )
    }
    # What each verdict was before this save, for the history: read before it is overwritten.
    before = {indicator_id: score.met for indicator_id, score in existing.items()}
    created, changed = [], []
    for verdict in verdicts:
        fields = _score_fields(verdict, by)
        score = existing.get(verdict.indicator.pk)
        if score is None:
            created.append(Score(application=application, indicator=verdict.indicator, assignment=owner, **fields))
            continue
        for name, value in fields.items():
            setattr(score, name, value)
        changed.append(score)
    Score.objects.bulk_create(created)
    rows_update(Score, changed, _SCORE_FIELDS)
    voided = _agreement_changed(application, by) if owner is None and not is_shared_scoring(application) else []
    history_record(
        obj=application,
        action="application.scores",
        by=by,
        data={
            "agreed": owner is None,
            "verdicts": {v.indicator.code: [before.get(v.indicator.pk), v.met] for v in verdicts},
            **({"confirmations_voided": ", ".join(map(str, voided))} if voided else {}),
        },
    )
    return created + changed


_SCORE_FIELDS = ("met", "points", "comment", "recommendation", "updated_by", "updated_at")


def score_save(
    *,
    application: Application,
    indicator: Indicator,
    by: User,
    met: bool | None,
    comment: str = "",
    recommendation: str = "",
    agreed: bool = False,
) -> Score:
    """Save an expert's verdict on one indicator (their own, or the agreed one).

    Side effects: none.
    """
    verdict = Verdict(indicator=indicator, met=met, comment=comment, recommendation=recommendation)
    return scores_save(application=application, by=by, verdicts=[verdict], agreed=agreed)[0]


@transaction.atomic
def own_scores_submit(*, application: Application, by: User) -> Assignment:
    """An expert of a two-expert case hands in their own scores; then they see the other's."""
    application = _lock(application)
    assignment = _my_assignment(application, by)
    _scoring_open(application)
    indicators = Indicator.objects.filter(version=application.version).count()
    scored = assignment.scores.filter(met__isnull=False).count()
    if scored < indicators:
        raise ActionRefused(
            _("Score every indicator first (%(done)d of %(all)d).") % {"done": scored, "all": indicators}
        )
    assignment.scores_submitted_at = timezone.now()
    assignment.save(update_fields=["scores_submitted_at"])
    history_record(obj=application, action="application.scores_submitted", by=by, data={"assignment": assignment.pk})
    if not application.assignments.filter(state=AssignmentState.ACCEPTED, scores_submitted_at__isnull=True).exists():
        _seed_agreed_scores(application)
    return assignment


def _seed_agreed_scores(application: Application) -> None:
    """Start the agreed scores where both experts agree, carrying both experts' comments
    and recommendations; differences stay open to discuss."""
    own: dict[int, list[Score]] = {}
    for score in Score.objects.filter(application=application, assignment__isnull=False):
        own.setdefault(score.indicator_id, []).append(score)
    agreed = set(
        Score.objects.filter(application=application, assignment__isnull=True).values_list("indicator_id", flat=True)
    )
    Score.objects.bulk_create(
        [
            Score(
                application=application,
                indicator_id=indicator_id,
                met=scores[0].met,
                points=scores[0].points,
                comment="\n".join(s.comment for s in scores if s.comment),
                recommendation="\n".join(s.recommendation for s in scores if s.recommendation),
                updated_by=None,
            )
            for indicator_id, scores in own.items()
            if len({s.met for s in scores}) == 1 and indicator_id not in agreed
        ]
    )


# --- Consolidation with four eyes (two experts) --------------------------------------------


def _other_experts(application: Application, by: User) -> list[User]:
    return [
        a.assessor
        for a in application.assignments.filter(state=AssignmentState.ACCEPTED)
        .exclude(assessor=by)
        .select_related("assessor")
    ]


def _agreement_changed(application: Application, by: User) -> list[int]:
    """Agreed scores were proposed or changed: every confirmation given so far is void
    (the changer confirms again too), and the other expert is told. Returns the
    assignments whose confirmation was voided."""
    accepted = application.assignments.filter(state=AssignmentState.ACCEPTED)
    voided = list(accepted.filter(agreed_confirmed_at__isnull=False).values_list("pk", flat=True))
    accepted.update(agreed_confirmed_at=None)
    others = _other_experts(application, by)
    transaction.on_commit(
        lambda: notify(
            people=others,
            template="assessments/email/agreed_changed",
            context={"application": application, "by": by},
            url=_case_url(application),
        )
    )
    return voided


def _two_experts_agreeing(application: Application, by: User) -> Assignment:
    """The expert's assignment, on a two-expert case where both handed in their own scores."""
    if not by.has_perm("assessments.score_application", application):
        raise PermissionDenied
    if is_shared_scoring(application):
        raise ActionRefused(_("With one expert the scores are the agreed ones: there is nothing to confirm."))
    _scoring_open(application)
    if application.assignments.filter(state=AssignmentState.ACCEPTED, scores_submitted_at__isnull=True).exists():
        raise ActionRefused(_("Both experts must submit their own scores before agreeing the final ones."))
    return _my_assignment(application, by)


@transaction.atomic
def agreed_scores_confirm(*, application: Application, by: User) -> Assignment:
    """One of two experts confirms the agreed scores as they stand. The case can be
    completed once both have; a later change to the agreed scores voids both.

    Side effects: one history row; the other expert is told.
    """
    application = _lock(application)
    assignment = _two_experts_agreeing(application, by)
    if application.state != ApplicationState.IN_ASSESSMENT:
        raise ActionRefused(_("The agreed scores can be confirmed only while in assessment, with no question open."))
    result = result_of(application)
    if result.unscored:
        raise ActionRefused(result.notes[0])
    assignment.agreed_confirmed_at = timezone.now()
    assignment.save(update_fields=["agreed_confirmed_at"])
    history_record(obj=application, action="application.agreed_confirmed", by=by, data={"assignment": assignment.pk})
    others = _other_experts(application, by)
    transaction.on_commit(
        lambda: notify(
            people=others,
            template="assessments/email/agreed_confirmed",
            context={"application": application, "by": by},
            url=_case_url(application),
        )
    )
    return assignment


@transaction.atomic
def disagreement_state(*, application: Application, by: User, position: str) -> Assignment:
    """An expert states his position where the two still disagree. Once both have, the
    disagreement goes to the office with both positions (it reads them on the case).

    Side effects: one history row; the other expert is asked for his position, or,
    with both stated, the office is told.
    """
    application = _lock(application)
    assignment = _two_experts_agreeing(application, by)
    if not position.strip():
        raise ActionRefused(_("Write your position: what you hold and why."))
    assignment.position, assignment.position_at = position.strip()[:4000], timezone.now()
    assignment.save(update_fields=["position", "position_at"])
    both = not application.assignments.filter(state=AssignmentState.ACCEPTED, position="").exists()
    history_record(
        obj=application,
        action="application.disagreement",
        by=by,
        data={"assignment": assignment.pk, "to_office": both},
        reason=assignment.position,
    )
    people = _office() if both else _other_experts(application, by)
    transaction.on_commit(
        lambda: notify(
            people=people,
            template="assessments/email/disagreement",
            context={"application": application, "to_office": both},
            url=_case_url(application),
        )
    )
    return assignment


def agreement_unconfirmed(application: Application) -> bool:
    """Two experts, and one of them has not confirmed the agreed scores as they stand."""
    return (
        not is_shared_scoring(application)
        and application.assignments.filter(state=AssignmentState.ACCEPTED, agreed_confirmed_at__isnull=True).exists()
    )


# --- Clarifications --------------------------------------------------------------------------


@transaction.atomic
def clarification_ask(
    *, application: Application, by: User, question: str, due_on: date, indicator: Indicator | None = None
) -> Clarification:
    """Ask the organisation a question, with a due date. Side effects: the case
    moves to clarification requested; its managers are notified."""
    application = _lock(application)
    if not by.has_perm("assessments.score_application", application):
        raise PermissionDenied
    _scoring_open(application)
    if not question.strip():
        raise ActionRefused(_("Write the question."))
    if due_on <= timezone.localdate():
        raise ActionRefused(_("The due date must be in the future."))
    if indicator is not None and indicator.version_id != application.version_id:
        raise ActionRefused(_("This question does not belong to the application's questionnaire."))
    clarification = Clarification.objects.create(
        application=application, indicator=indicator, question=question.strip(), asked_by=by, due_on=due_on
    )
    history_record(
        obj=application,
        action="application.question",
        by=by,
        data={"clarification": clarification.pk, "indicator": indicator.code if indicator else "", "due_on": due_on},
    )
    if application.state == ApplicationState.IN_ASSESSMENT:
        application_transition(application=application, to_state=ApplicationState.CLARIFICATION_REQUESTED, by=by)
    transaction.on_commit(
        lambda: notify(
            people=managers_of(application.organisation),
            template="assessments/email/clarification",
            context={"application": application, "clarification": clarification},
            url=_case_url(application),
        )
    )
    return clarification


@transaction.atomic
def clarification_answer(*, clarification: Clarification, by: User, answer: str, upload: Any = None) -> Clarification:
    """The organisation answers (text and, optionally, a file). When no question
    is left open the case returns to the assessors' list. Side effects: the
    assessors are told then (an effect of the move, ``APPLICATION_WORKFLOW``)."""
    application = _lock(clarification.application)
    if not by.has_perm("assessments.answer_clarification", application):
        raise PermissionDenied
    clarification = Clarification.objects.select_for_update().get(pk=clarification.pk)
    if clarification.answered_at is not None:
        raise ActionRefused(_("This question has already been answered."))
    if clarification.closed_at is not None:
        raise ActionRefused(_("The label office has closed this question: no answer is awaited."))
    if not answer.strip():
        raise ActionRefused(_("Write an answer."))
    if upload is not None:
        evidence_for_clarification(clarification=clarification, upload=upload, by=by)
    clarification.answer, clarification.answered_by, clarification.answered_at = answer.strip(), by, timezone.now()
    clarification.save(update_fields=["answer", "answered_by", "answered_at"])
    history_record(
        obj=application, action="application.answer_to_question", by=by, data={"clarification": clarification.pk}
    )
    still_open = application.clarifications.filter(OPEN_CLARIFICATION).exists()
    if not still_open and application.state == ApplicationState.CLARIFICATION_REQUESTED:
        application_transition(application=application, to_state=ApplicationState.IN_ASSESSMENT, by=by)
    return clarification


# --- Completion and quality check -----------------------------------------------------------


@transaction.atomic
def assessment_complete(
    *,
    application: Application,
    by: User,
    assessed_on: date,
    summary: str,
    strengths: str = "",
    recommendations: dict[str, str] | None = None,
) -> AssessmentReport:
    """The assessor records the interview or visit date (the label's validity
    counts from its month), writes the report and hands the case to the office.

    Refused while a question is open or an indicator is not scored. Side effects
    (of arriving in assessed, ``APPLICATION_WORKFLOW``): the office is told; the
    report PDF is rendered by a Celery task.
    """
    application = _lock(application)
    if not by.has_perm("assessments.score_application", application):
        raise PermissionDenied
    if application.state != ApplicationState.IN_ASSESSMENT:
        raise ActionRefused(_("The case can be completed only while in assessment, with no question open."))
    if assessed_on > timezone.localdate() or assessed_on < application.created_at.date():
        raise ActionRefused(_("The interview or visit date must lie between the application and today."))
    if not summary.strip():
        raise ActionRefused(_("Write the summary of the report."))
    result = result_of(application)
    if result.unscored:
        raise ActionRefused(result.notes[0])
    if agreement_unconfirmed(application):
        raise ActionRefused(_("Both experts must confirm the agreed scores before the case is completed."))
    application.assessed_on = assessed_on
    application.save(update_fields=["assessed_on"])
    report, _created = AssessmentReport.objects.update_or_create(
        application=application,
        defaults={
            "summary": summary.strip(),
            "strengths": strengths.strip(),
            "recommendations": recommendations or {},
            "score_percent": result.percent,
            "passed": result.passed,
            "result_notes": result.notes,
            "completed_by": by,
            "completed_at": timezone.now(),
        },
    )
    history_record(
        obj=application,
        action="application.report",
        by=by,
        data={"assessed_on": assessed_on, "score_percent": result.percent, "passed": result.passed},
    )
    application_transition(application=application, to_state=ApplicationState.ASSESSED, by=by)
    return report


def quality_check(*, application: Application, by: User, to_state: ApplicationState, note: str = "") -> Application:
    """The office takes the case into quality check, passes it to the committee,
    or returns it to the assessors with a note. Side effects (of the move,
    ``APPLICATION_WORKFLOW``): the committee is told when a case awaits its decision."""
    return application_transition(application=application, to_state=to_state, by=by, note=note)


def overdue_clarifications_notify(*, today: date | None = None) -> int:
    """Tell the office, once per question, that an organisation's answer is overdue.

    The claim is a conditional update, so two sweeps at once notify once.
    Side effects: notifications and e-mails to the label office.
    """
    today = today or timezone.localdate()
    told = 0
    for clarification in Clarification.objects.filter(
        OPEN_CLARIFICATION, due_on__lt=today, overdue_notified_at__isnull=True
    ):
        claimed = Clarification.objects.filter(pk=clarification.pk, overdue_notified_at__isnull=True).update(
            overdue_notified_at=timezone.now()
        )
        if claimed:
            application = Application.objects.select_related("organisation").get(pk=clarification.application_id)
            notify(
                people=_office(),
                template="assessments/email/overdue",
                context={"application": application, "clarification": clarification},
                url=_case_url(application),
            )
            told += 1
    return told


@shared_task(name="assessments.notify_overdue_clarifications", acks_late=True)
def notify_overdue_clarifications() -> int:
    """Daily: the office hears of every question whose answer is overdue, once."""
    return overdue_clarifications_notify()
