"""Writes on applications: start, answer, upload evidence, submit, withdraw.

Each service checks who may act, holds the rule, and lists its side effects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from assessments import selectors
from assessments.answers import AnswerInvalid, clean_answer
from assessments.enums import ApplicationState
from assessments.models import Answer, Application, Evidence, Indicator
from assessments.providers import (
    application_started,
    application_submitted,
    application_withdrawn,
    bronze_benchmarkings,
    latest_bronze_benchmarking,
    renewal_window,
)
from assessments.questionnaires.selectors import published_version
from assessments.rules import is_member_of_applicant
from assessments.services.workflow import APPLICATION_WORKFLOW
from clusters.models import ClusterOrganisation
from clusters.selectors import application_blockers
from common.enums import Level
from common.errors import ActionRefused
from common.files import UploadRejected, check_upload
from common.prepared import Prepared
from common.request_cache import forget
from common.scheme import rules_for
from common.services import history_record
from common.workflow import transition

MAX_EVIDENCE_PER_INDICATOR = 10


class AnswerConflict(ActionRefused):
    """Someone saved this answer since the page was loaded; nothing was overwritten."""


@dataclass(frozen=True)
class SilverWindow:
    """When Silver, the second benchmarking, may start: ``opens_on`` to ``closes_on``
    (inclusive), counted from the first benchmarking of the pair (``benchmarked_on``)."""

    benchmarked_on: date
    opens_on: date
    closes_on: date

    def contains(self, day: date) -> bool:
        return self.opens_on <= day <= self.closes_on


def silver_window(
    organisation: ClusterOrganisation, today: date, benchmarkings: list[date] | None = None
) -> SilverWindow | None:
    """The Silver window open today or the next to open, or None when none is left.

    Every Bronze benchmarking opens a window; the earliest whose window has not
    closed wins. A second Bronze benchmarking inside that window (the renewal a
    manager following the scheme does) therefore never closes it.
    """
    months = rules_for(Level.SILVER).requires_bronze_months
    if months is None:
        return None
    # ``benchmarkings``: the organisation's, read beforehand for many at once (a start page).
    for benchmarked in benchmarkings if benchmarkings is not None else bronze_benchmarkings(organisation):
        window = SilverWindow(
            benchmarked, benchmarked + relativedelta(months=months[0]), benchmarked + relativedelta(months=months[1])
        )
        if today <= window.closes_on:
            return window
    return None


def silver_timing_problem(organisation: ClusterOrganisation, today: date) -> str | None:
    """Why Silver cannot start today (no Bronze benchmarking, its window not open yet or closed), or None."""
    window = rules_for(Level.SILVER).requires_bronze_months
    if window is None:
        return None
    upcoming = silver_window(organisation, today)
    if upcoming is not None and upcoming.contains(today):
        return None
    benchmarked = upcoming.benchmarked_on if upcoming else latest_bronze_benchmarking(organisation)
    if benchmarked is None:
        return _("Silver builds on a Bronze benchmarking, and the organisation has none.")
    earliest, latest = benchmarked + relativedelta(months=window[0]), benchmarked + relativedelta(months=window[1])
    values = {
        "date": formats.date_format(benchmarked, "DATE_FORMAT"),
        "earliest": formats.date_format(earliest, "DATE_FORMAT"),
        "latest": formats.date_format(latest, "DATE_FORMAT"),
        "min": window[0],
        "max": window[1],
    }
    if today < earliest:
        return (
            _(
                "Silver needs a Bronze benchmarking %(min)d to %(max)d months old; yours of %(date)s "
                "allows a Silver application from %(earliest)s to %(latest)s."
            )
            % values
        )
    if today > latest:
        return (
            _(
                "Silver needs a Bronze benchmarking %(min)d to %(max)d months old; yours of %(date)s passed that "
                "on %(latest)s. Renew the Bronze benchmarking first."
            )
            % values
        )
    return None


def renewal_timing_problem(organisation: ClusterOrganisation, level: Level, today: date) -> str | None:
    """Why a renewal of the organisation's current label of ``level`` cannot start today
    (too early: it opens ``renewal_opens_months_before`` months before expiry), or None.

    Past the renewal window the organisation starts again as a first applicant: no problem.
    """
    window = renewal_window(organisation, level)
    if window is None or today >= window.opens_on:
        return None
    return _(
        "Your %(level)s label is valid until %(until)s. Its renewal can start from %(opens)s (until %(closes)s)."
    ) % {
        "level": Level(level).label,
        "until": formats.date_format(window.valid_until, "DATE_FORMAT"),
        "opens": formats.date_format(window.opens_on, "DATE_FORMAT"),
        "closes": formats.date_format(window.closes_on, "DATE_FORMAT"),
    }


def timing_problem(organisation: ClusterOrganisation, level: Level, today: date) -> str | None:
    """Why an application of ``level`` cannot start today (a renewal too early, Silver
    outside its window), or None; the start page shows the same sentence."""
    problem = renewal_timing_problem(organisation, level, today)
    # A Silver label renewed inside its window repeats the Silver step; only a first
    # Silver is bound to the 18 to 24 months after a Bronze benchmarking.
    renewing = (window := renewal_window(organisation, level)) is not None and today <= window.closes_on
    if problem is None and level == Level.SILVER and not renewing:
        problem = silver_timing_problem(organisation, today)
    return problem


@transaction.atomic
def application_start(
    *, organisation: ClusterOrganisation, level: Level, by: User, today: date | None = None
) -> Application:
    """Open an application for a level, answered against the published questionnaire.

    Rules: the organisation is validated and eligible; one open application per
    level; a renewal starts no earlier than ``renewal_opens_months_before`` months
    before the current label expires; Silver starts 18 to 24 months after a
    Bronze benchmarking (configured).
    A renewal pre-fills every answer from the previous application of that level.
    Side effects: a transition row (start); what the apps above add to a new
    case (``providers.application_started``: billing's quote); no e-mail.
    """
    # Locking the organisation serialises two starts at once (a double click)
    # and judges eligibility on its current profile, not the caller's copy.
    organisation = ClusterOrganisation.objects.select_for_update().get(pk=organisation.pk)
    if not by.has_perm("assessments.start_application", organisation):
        raise PermissionDenied
    level = Level(level)
    blockers = application_blockers(organisation)
    if blockers:
        raise ActionRefused(" ".join(blockers))
    if selectors.open_application(organisation, level) is not None:
        raise ActionRefused(_("A %(level)s application is already open: continue it.") % {"level": level.label})
    today = today or timezone.localdate()
    problem = timing_problem(organisation, level, today)
    if problem:
        raise ActionRefused(problem)
    first = _first_benchmarking(organisation, today) if level == Level.SILVER else None
    version = published_version(level)
    if version is None:
        raise ActionRefused(_("No %(level)s questionnaire is published yet.") % {"level": level.label})
    previous = selectors.previous_application(organisation, level)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                organisation=organisation,
                level=level,
                version=version,
                created_by=by,
                renewal_of=previous,
                first_benchmarking=first[1] if first else None,
                first_benchmarked_on=first[0] if first else None,
            )
    except IntegrityError:
        # A double click or a colleague got there first: one application, not two.
        raise ActionRefused(
            _("A %(level)s application is already open: continue it.") % {"level": level.label}
        ) from None
    history_record(
        obj=application,
        action="application.created",
        by=by,
        data={
            "level": level,
            "version": version.pk,
            "renewal_of": previous.pk if previous else None,
            "first_benchmarked_on": first[0] if first else None,
            "state": ["", application.state],
        },
    )
    if previous is not None:
        _prefill_from(application, previous, by)
    # The apps above add their part of a new case (billing: its quote).
    application_started(application, by)
    return application


def _first_benchmarking(organisation: ClusterOrganisation, today: date) -> tuple[date, Application | None] | None:
    """The first benchmarking of the Silver pair: its date, and its application where the portal holds it
    (a benchmarking recorded before the portal has a label only, and no recommendations here)."""
    window = silver_window(organisation, today)
    if window is None:
        return None
    application = (
        Application.objects.filter(
            organisation=organisation,
            level=Level.BRONZE,
            state=ApplicationState.AWARDED,
            assessed_on=window.benchmarked_on,
        )
        .order_by("-pk")
        .first()
    )
    return window.benchmarked_on, application


def _prefill_from(application: Application, previous: Application, by: User) -> None:
    """Copy the previous cycle's answers to the indicators of the same code.

    An answer the new version no longer accepts (a changed type, choice or
    bound) is not copied: the question shows as unanswered instead of carrying
    a value that would be submitted and scored unchecked.
    """
    indicators = {i.code: i for i in Indicator.objects.filter(version=application.version)}
    answers = []
    for old in previous.answers.select_related("indicator"):
        indicator = indicators.get(old.indicator.code)
        if indicator is None or old.value is None:
            continue
        value = _still_valid(indicator, old.value)
        if value is not None:
            answers.append(
                Answer(application=application, indicator=indicator, value=value, previous_value=value, updated_by=by)
            )
    Answer.objects.bulk_create(answers)


def _still_valid(indicator: Indicator, value: Any) -> Any:
    raw = (
        [str(v) for v in value]
        if isinstance(value, list)
        else ["yes" if value is True else "no" if value is False else str(value)]
    )
    try:
        return clean_answer(indicator, raw)
    except AnswerInvalid:
        return None


# Each autosave locks its case and reads one answer: compiled once per process.
_case_lock = Prepared(lambda pk: Application.objects.select_for_update().filter(pk=pk))
_answer_read = Prepared(
    lambda application_id, indicator_id: Answer.objects.filter(
        application_id=application_id, indicator_id=indicator_id
    ).select_related("updated_by")
)


def _case_locked(pk: int) -> Application:
    """The case's row, locked until the transaction ends (call it inside one)."""
    application = _case_lock.first(pk)
    if application is None:
        raise Application.DoesNotExist(pk)
    return application


@transaction.atomic
def answer_save(*, application: Application, indicator: Indicator, raw: list[str], revision: int, by: User) -> Answer:
    """Save one answer as typed, if the page it came from was current.

    ``revision`` is the answer's revision the person's page showed; if someone
    saved since, the save is refused (``AnswerConflict``) and nothing is lost.
    Raises ``AnswerInvalid`` for input the answer type does not accept.
    Side effects: none.
    """
    application = _case_locked(application.pk)
    forget()  # rules answer from rows read under the lock, not earlier in the request
    if not by.has_perm("assessments.edit_answers", application):
        # The permission first: only the organisation's people learn that the state is what refuses them.
        if application.state != ApplicationState.DRAFT and is_member_of_applicant(by, application):
            raise ActionRefused(_("The application has been submitted: its answers can no longer change."))
        raise PermissionDenied
    if indicator.version_id != application.version_id:
        raise ActionRefused(_("This question does not belong to the application's questionnaire."))
    value = clean_answer(indicator, raw)
    answer = _answer_read.first(application.pk, indicator.pk)
    current = answer.revision if answer else 0
    if revision != current:
        who = answer.updated_by.get_full_name() if answer and answer.updated_by else _("someone")
        when = formats.date_format(timezone.localtime(answer.updated_at), "H:i") if answer else ""
        raise AnswerConflict(
            _(
                "%(who)s changed this answer at %(when)s, after you opened the page. "
                "Reload to see it; yours was not saved."
            )
            % {"who": who, "when": when}
        )
    if answer is None:
        answer = Answer(application=application, indicator=indicator)
    before = answer.value
    answer.value, answer.revision, answer.updated_by, answer.updated_at = value, current + 1, by, timezone.now()
    answer.save()
    history_record(
        obj=application,
        action="application.answer",
        by=by,
        data={"indicator": indicator.code, "value": [before, value]},
    )
    return answer


@transaction.atomic
def evidence_add(*, application: Application, indicator: Indicator, upload: UploadedFile | None, by: User) -> Evidence:
    """Store an evidence file after checking its content (None: no file was chosen, refused
    after the permission). Side effects: a private file on disk."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    forget()  # rules answer from rows read under the lock, not earlier in the request
    if not by.has_perm("assessments.edit_answers", application):
        if application.state != ApplicationState.DRAFT and is_member_of_applicant(by, application):
            raise ActionRefused(_("The application has been submitted: its evidence can no longer change."))
        raise PermissionDenied
    if upload is None:
        raise ActionRefused(_("Choose a file to upload."))
    if indicator.version_id != application.version_id:
        raise ActionRefused(_("This question does not belong to the application's questionnaire."))
    if Evidence.objects.filter(application=application, indicator=indicator).count() >= MAX_EVIDENCE_PER_INDICATOR:
        raise ActionRefused(_("At most %(n)d files per question.") % {"n": MAX_EVIDENCE_PER_INDICATOR})
    return _evidence_store(application=application, indicator=indicator, upload=upload, by=by)


def evidence_for_clarification(*, clarification: Any, upload: UploadedFile, by: User) -> Evidence:
    """A file that answers an assessor's question: allowed after submission,
    tied to the question. The caller (``assessing.clarification_answer``) holds
    the lock and has checked the person. Side effects: a private file on disk."""
    if clarification.indicator is None:
        raise ActionRefused(_("Attach files to questions about an indicator only."))
    return _evidence_store(
        application=clarification.application,
        indicator=clarification.indicator,
        upload=upload,
        by=by,
        clarification=clarification,
    )


def _evidence_store(
    *, application: Application, indicator: Indicator, upload: UploadedFile, by: User, clarification: Any = None
) -> Evidence:
    """Check an upload by its content and keep it privately; refusals say why."""
    name = (upload.name or "file").rsplit("/", 1)[-1][-200:]
    size = upload.size or 0  # check_upload refuses an empty (or unsized) file
    try:
        kind, digest = check_upload(upload, name, size)
    except UploadRejected as rejected:
        raise ActionRefused(str(rejected)) from None
    evidence = Evidence(
        application=application,
        indicator=indicator,
        original_name=name,
        content_type=kind.content_type,
        size=size,
        sha256=digest,
        uploaded_by=by,
        clarification=clarification,
    )
    evidence.file.save(f"{digest[:16]}.{kind.extension}", upload, save=False)
    evidence.save()
    history_record(
        obj=application,
        action="application.evidence_added",
        by=by,
        data={"indicator": indicator.code, "file": name, "sha256": digest, "evidence": evidence.pk},
    )
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, by: User) -> None:
    application = Application.objects.select_for_update().get(pk=evidence.application_id)
    forget()  # rules answer from rows read under the lock, not earlier in the request
    if not by.has_perm("assessments.edit_answers", application):
        raise PermissionDenied
    stored = evidence.file.name
    assert stored is not None  # the field is required: every evidence row has its file
    history_record(
        obj=application,
        action="application.evidence_removed",
        by=by,
        data={"indicator": evidence.indicator.code, "file": evidence.original_name, "sha256": evidence.sha256},
    )
    evidence.delete()
    transaction.on_commit(lambda: evidence.file.storage.delete(stored))


def application_transition(
    *, application: Application, to_state: ApplicationState, by: User | None, note: str = ""
) -> Application:
    """Move an application through the door (``common.workflow``; moves in
    ``assessments.transitions.MOVES``). Side effects (after commit, from
    ``APPLICATION_WORKFLOW``): the office, the committee, the assessors or the
    managers are told of the arrival, the report is rendered once assessed."""
    return transition(APPLICATION_WORKFLOW, obj=application, to_state=to_state, by=by, note=note)


def case_back_to_assignment(*, application: Application, note: str) -> None:
    """An expert is gone: a case in assessment returns to the office's assignment list.

    The system makes the move on the office's (or the conflict's) account; the
    act itself, with its actor, is the assignment's own history row."""
    if application.state in (ApplicationState.IN_ASSESSMENT, ApplicationState.CLARIFICATION_REQUESTED):
        application_transition(
            application=application, to_state=ApplicationState.ASSESSOR_ASSIGNMENT, by=None, note=note
        )


@transaction.atomic
def application_withdraw(*, application: Application, by: User, reason: str = "") -> Application:
    """The organisation withdraws its case before a decision (through the door).

    Side effects: the move's history row with the reason; what the apps above
    undo for a withdrawn case (``providers.application_withdrawn``: billing
    credits the case's open invoice and tells the office), in the same
    transaction, so a withdrawal never leaves an invoice open behind it."""
    withdrawn = application_transition(application=application, to_state=ApplicationState.WITHDRAWN, by=by, note=reason)
    application_withdrawn(withdrawn, by)
    return withdrawn


@transaction.atomic
def application_submit(*, application: Application, by: User) -> Application:
    """Submit when complete; the answers are then locked. Raises ``ActionRefused``
    naming how many items are missing (the submit page lists them). Side effects:
    the move's history row; what the apps above add to a submitted case
    (``providers.application_submitted``: billing's invoice, if configured)."""
    if not by.has_perm("assessments.submit_application", application):
        # A contributor or the office too: the submit page tells a contributor to ask a manager.
        raise PermissionDenied
    # Lock first: a colleague's removal committed in between must not slip through.
    application = Application.objects.select_for_update().get(pk=application.pk)
    forget()  # rules answer from rows read under the lock, not earlier in the request
    if application.state != ApplicationState.DRAFT:
        raise ActionRefused(_("The application has already been submitted."))
    missing = selectors.missing_items(selectors.application_sections(application))
    if missing:
        raise ActionRefused(_("%(n)d required item(s) are missing; complete them, then submit.") % {"n": len(missing)})
    areas_needed = rules_for(Level.SILVER).improvement_areas if application.level == Level.SILVER else 0
    if application.improvement_areas.count() < areas_needed:
        raise ActionRefused(
            _("Choose the %(n)d improvement areas from the first benchmarking's recommendations, then submit.")
            % {"n": areas_needed}
        )
    submitted = application_transition(application=application, to_state=ApplicationState.SUBMITTED, by=by)
    application_submitted(submitted)
    return submitted
