"""Nothing stuck: the office replaces an expert, extends or closes a question;
the daily sweep reminds each late party once per deadline, and reminds, then
archives, idle drafts. Every state change goes through the door."""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assessments.enums import ACTIVE_ASSIGNMENT_STATES, ApplicationState, AssignmentState
from assessments.late_steps import late_steps
from assessments.models import OPEN_CLARIFICATION, Application, Assignment, Clarification, DeadlineReminder
from assessments.services.applications import application_transition, case_back_to_assignment
from assessments.services.conflicts import assignments_recheck
from assessments.services.workflow import ASSIGNMENT_WORKFLOW
from clusters.services import managers_of
from common.errors import ActionRefused
from common.notify import notify
from common.request_cache import forget
from common.scheme import case_deadlines
from common.services import history_record
from common.workflow import transition

# The states in which an expert may still be replaced: before the report is written.
REPLACEABLE_STATES = (
    ApplicationState.ASSESSOR_ASSIGNMENT,
    ApplicationState.IN_ASSESSMENT,
    ApplicationState.CLARIFICATION_REQUESTED,
)


def _case_url(application: Application) -> str:
    return reverse("assessments:application_detail", args=[application.pk])


@transaction.atomic
def assignment_remove(*, assignment: Assignment, by: User, reason: str) -> Assignment:
    """The office removes an expert (one who never declares, never scores) with a
    reason, so that another can be assigned. The case keeps its history and its
    scores; the removed expert loses access at once.

    Side effects: the assignment becomes removed (history row with the reason);
    a case in assessment returns to assessor assignment; the expert is told
    (an effect of ``ASSIGNMENT_WORKFLOW``).
    """
    if not by.has_perm("assessments.replace_assessor", assignment.application):
        raise PermissionDenied
    application = Application.objects.select_for_update().get(pk=assignment.application_id)
    forget()  # rules answer from rows read under the lock, not earlier in the request
    if assignment.state not in ACTIVE_ASSIGNMENT_STATES:
        raise ActionRefused(_("This expert is no longer assigned to the case."))
    if application.state not in REPLACEABLE_STATES:
        raise ActionRefused(_("An expert can be replaced only until the report is written."))
    if not reason.strip():
        raise ActionRefused(_("Say why the expert is replaced."))
    assignment = transition(ASSIGNMENT_WORKFLOW, obj=assignment, to_state=AssignmentState.REMOVED, by=by, note=reason)
    history_record(
        obj=application, action="assignment.removed", by=by, data={"assignment": assignment.pk}, reason=reason
    )
    # The applicant reads the case's moves: the reason stays in the office's own row above.
    case_back_to_assignment(application=application, note=_("An expert was replaced."))
    return assignment


def _open_clarification(clarification: Clarification, by: User) -> tuple[Application, Clarification]:
    if not by.has_perm("assessments.manage_clarifications", clarification.application):
        raise PermissionDenied
    application = Application.objects.select_for_update().get(pk=clarification.application_id)
    forget()  # rules answer from rows read under the lock, not earlier in the request
    clarification = Clarification.objects.select_for_update().get(pk=clarification.pk)
    if not clarification.is_open:
        raise ActionRefused(_("This question is no longer open."))
    return application, clarification


@transaction.atomic
def clarification_extend(*, clarification: Clarification, by: User, due_on: date, reason: str) -> Clarification:
    """The office gives the organisation more time to answer, with a reason.

    Side effects: the new due date (history row with before and after); the
    question may be reported overdue again, once, after the new date.
    """
    application, clarification = _open_clarification(clarification, by)
    if due_on <= timezone.localdate() or due_on <= clarification.due_on:
        raise ActionRefused(_("The new due date must be later than today and than the current one."))
    if not reason.strip():
        raise ActionRefused(_("Say why the organisation gets more time."))
    before = clarification.due_on
    clarification.due_on, clarification.overdue_notified_at = due_on, None
    clarification.save(update_fields=["due_on", "overdue_notified_at"])
    history_record(
        obj=application,
        action="application.question_extended",
        by=by,
        data={"clarification": clarification.pk, "due_on": [before, due_on]},
        reason=reason.strip(),
    )
    return clarification


@transaction.atomic
def clarification_close(*, clarification: Clarification, by: User, reason: str) -> Clarification:
    """The office closes an unanswered question, with a reason: no answer is
    awaited any more. When it was the last open one, the case returns to the
    experts (the system makes the move on the office's account).

    Side effects: history row; the experts are told (an effect of the move).
    """
    application, clarification = _open_clarification(clarification, by)
    if not reason.strip():
        raise ActionRefused(_("Say why the question is closed."))
    clarification.closed_at, clarification.closed_by, clarification.close_reason = timezone.now(), by, reason.strip()
    clarification.save(update_fields=["closed_at", "closed_by", "close_reason"])
    history_record(
        obj=application,
        action="application.question_closed",
        by=by,
        data={"clarification": clarification.pk},
        reason=reason.strip(),
    )
    still_open = application.clarifications.filter(OPEN_CLARIFICATION).exists()
    if not still_open and application.state == ApplicationState.CLARIFICATION_REQUESTED:
        application_transition(
            application=application,
            to_state=ApplicationState.IN_ASSESSMENT,
            by=None,
            note=_("The label office closed the question: %(reason)s") % {"reason": reason.strip()},
        )
    return clarification


# --- Reminders, once per deadline --------------------------------------------------------


def _claim(*, step: str, record_id: int, deadline: date, people: list[User]) -> bool:
    """Insert the (step, record, deadline) row; False when it is there already."""
    try:
        with transaction.atomic():
            DeadlineReminder.objects.create(
                step=step, record_id=record_id, deadline=deadline, recipients=sorted(p.email for p in people)
            )
    except IntegrityError:
        return False
    return True


def late_steps_remind(*, today: date | None = None) -> int:
    """Remind each late party of each late step once per deadline.

    Claim and send share one transaction: a mail that fails leaves no row, and
    the next sweep tries again; a sent one leaves the row, and no sweep sends it
    twice. Side effects: notifications and e-mails to the late parties.
    """
    today = today or timezone.localdate()
    sent = 0
    for late in late_steps(today):
        with transaction.atomic():
            if not _claim(step=late.step, record_id=late.record_id, deadline=late.deadline, people=late.people):
                continue
            # An expert who has not declared must not be sent into the case: their start page instead.
            url = reverse("accounts:assessor_start") if late.step == "declare" else _case_url(late.application)
            notify(
                people=late.people,
                template="assessments/email/late_step",
                context={"application": late.application, "step": late.label, "deadline": late.deadline},
                url=url,
            )
            sent += 1
    return sent


# --- Idle drafts -------------------------------------------------------------------------


def _idle_drafts(latest: date) -> list[Application]:
    """Drafts whose last change (start, answer or file) was on ``latest`` or before."""
    drafts = (
        Application.objects.filter(state=ApplicationState.DRAFT)
        .annotate(
            last_change=Greatest(
                "created_at",
                Coalesce(Max("answers__updated_at"), "created_at"),
                Coalesce(Max("evidence__uploaded_at"), "created_at"),
            )
        )
        .select_related("organisation")
        .order_by("pk")
    )
    return [d for d in drafts if timezone.localdate(d.last_change) <= latest]


def drafts_idle_sweep(*, today: date | None = None) -> tuple[int, int]:
    """Remind the managers of a draft idle for ``draft_idle_remind_days``, once per
    idle spell; archive it (through the door) once the announced day has come.
    Returns (reminded, archived). Side effects: notifications and e-mails to the
    managers; archived drafts (history rows).
    """
    today = today or timezone.localdate()
    deadlines = case_deadlines()
    grace = timedelta(days=deadlines.draft_idle_archive_days - deadlines.draft_idle_remind_days)
    reminded = archived = 0
    for draft in _idle_drafts(today - timedelta(days=deadlines.draft_idle_remind_days)):
        last_change = draft.last_change  # type: ignore[attr-defined]
        # The reminder of this idle spell: sent after the last change.
        reminder = (
            DeadlineReminder.objects.filter(step="draft_idle", record_id=draft.pk, sent_at__gt=last_change)
            .order_by("-sent_at")
            .first()
        )
        if reminder is None:
            # Never archived unannounced: the day is at least the grace after the reminder.
            archive_on = max(
                timezone.localdate(last_change) + timedelta(days=deadlines.draft_idle_archive_days), today + grace
            )
            managers = managers_of(draft.organisation)
            with transaction.atomic():
                if _claim(step="draft_idle", record_id=draft.pk, deadline=archive_on, people=managers):
                    notify(
                        people=managers,
                        template="assessments/email/draft_idle",
                        context={"application": draft, "archive_on": archive_on},
                        url=_case_url(draft),
                    )
                    reminded += 1
        elif reminder.deadline <= today:
            application_transition(
                application=draft,
                to_state=ApplicationState.ARCHIVED,
                by=None,
                note=_("Archived after %(days)d days without a change.")
                % {"days": (today - timezone.localdate(last_change)).days},
            )
            archived += 1
    return reminded, archived


@shared_task(name="assessments.remind_late_steps", acks_late=True)
def remind_late_steps() -> dict[str, int]:
    """Daily: links that appeared since an assignment end it; each late party hears of each
    late step once; idle drafts are reminded, then archived."""
    voided = assignments_recheck()
    reminded, archived = drafts_idle_sweep()
    return {
        "assignments_voided": voided,
        "late_steps": late_steps_remind(),
        "drafts_reminded": reminded,
        "drafts_archived": archived,
    }
