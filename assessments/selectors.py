"""Reads on applications, scoped to what the person may see."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict

import rules
from django.db.models import BooleanField, Count, Exists, F, JSONField, OuterRef, Q, QuerySet, Subquery, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AssessorProfile, User
from accounts.rules import is_label_committee, is_label_office
from assessments.answers import display, is_answered
from assessments.enums import ACTIVE_ASSIGNMENT_STATES, CLOSED_STATES, AnswerType, ApplicationState, AssignmentState
from assessments.models import (
    OPEN_CLARIFICATION,
    Answer,
    Application,
    Assignment,
    Clarification,
    Evidence,
    Indicator,
    Score,
    Section,
    StandingDeclaration,
)
from assessments.rules import DECIDABLE_STATES
from assessments.scoring import Result, compute_result
from assessments.structure import structure_of
from clusters.eligibility import eligibility_of
from clusters.models import ClusterOrganisation, Membership
from common.enums import Level
from common.prepared import Prepared, knowing
from common.scheme import rules_for
from common.workflow import StateChange, state_changes_of

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class AssessedByMe(TypedDict):
    assessed_by_me: bool


CommitteeCase: TypeAlias = "WithAnnotations[Application, AssessedByMe]"


def applications_visible_to(user: User) -> QuerySet[Application]:
    """The one scope for application pages: members see their organisations'
    applications, the office all; everyone else none (so pages answer 404)."""
    if not user.is_authenticated:
        return Application.objects.none()
    if is_label_office(user):
        return Application.objects.all()
    visible = Q(organisation__memberships__user=user, organisation__memberships__left_at__isnull=True)
    # Assessors see a case only once they have declared no conflict of interest.
    visible |= Q(assignments__assessor=user, assignments__state=AssignmentState.ACCEPTED)
    if is_label_committee(user):
        visible |= Q(state__in=DECIDABLE_STATES)
    return Application.objects.filter(visible).distinct()


def with_organisation_key(applications: QuerySet[Application], pk: int) -> QuerySet[Application]:
    """The case ``pk`` with its organisation's key given as a subquery. Joined to its
    organisation by the case's key alone, PostgreSQL may merge along the whole organisation
    index (1 to 3 ms at the bench's volumes, more as organisations are added) rather than
    read the one organisation."""
    organisation_id = Subquery(Application.objects.filter(pk=pk).values("organisation_id"))
    return applications.filter(pk=pk, organisation_id=organisation_id)


_case_reads: dict[tuple[str, ...], Prepared[Application]] = {}


def _case_read(also: tuple[str, ...]) -> Prepared[Application]:
    """The case by its key with its organisation, questionnaire and ``also``: compiled
    once per process (compiling it cost more than running it)."""
    if also not in _case_reads:
        _case_reads[also] = Prepared(
            lambda pk: with_organisation_key(
                Application.objects.select_related("organisation", "version__questionnaire", *also), pk
            )
        )
    return _case_reads[also]


def application_for(user: User, pk: int, *, also: tuple[str, ...] = ()) -> Application:
    """The application if ``user`` may see it, else 404; ``also`` names further
    relations to read in the same query (the case page's report and decision).

    Read by its key, then asked of the rule ``assessments.view_application``, the
    same rule as ``applications_visible_to`` (tests/test_scope_agreement.py holds
    them together): filtering through memberships and assignments needs DISTINCT
    over every column and a plan that walks the organisations, 5 to 7 ms a page
    on PostgreSQL; the rule reads what the request has read already."""
    application = _case_read(also).first(pk)
    if application is None:
        raise Http404
    # The rule alone, not every backend: Django's own would let any superuser through,
    # and the scheme's roles are not the admin's (a superuser with no role sees no case).
    if not rules.has_perm("assessments.view_application", user, application):
        raise Http404
    return application


def applications_of(organisation: ClusterOrganisation) -> QuerySet[Application]:
    return organisation.applications.select_related("version").order_by("-created_at")


def open_application(organisation: ClusterOrganisation, level: Level | str) -> Application | None:
    return (
        Application.objects.filter(organisation=organisation, level=Level(level))
        .exclude(state__in=CLOSED_STATES)
        .first()
    )


def previous_application(organisation: ClusterOrganisation, level: Level | str) -> Application | None:
    """The latest submitted application of that level, whose answers a renewal starts from."""
    return (
        Application.objects.filter(organisation=organisation, level=Level(level), submitted_at__isnull=False)
        .exclude(state__in=[ApplicationState.WITHDRAWN, ApplicationState.ARCHIVED])
        .order_by("-submitted_at")
        .first()
    )


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    answer: Answer | None
    evidence: list[Evidence]

    @property
    def value(self) -> Any:
        return self.answer.value if self.answer else None

    @property
    def answered(self) -> bool:
        if self.indicator.answer_type == AnswerType.FILE:
            return bool(self.evidence)
        return is_answered(self.value)

    @property
    def evidence_missing(self) -> bool:
        return self.indicator.evidence_required and not self.evidence

    @property
    def complete(self) -> bool:
        return (self.answered or not self.indicator.required) and not self.evidence_missing

    @property
    def value_display(self) -> str:
        """The answer as the check before submission shows it (the same words as the previous cycle's)."""
        return display(self.indicator, self.value)

    @property
    def previous_display(self) -> str:
        return display(self.indicator, self.answer.previous_value if self.answer else None)

    @property
    def changed_since_previous(self) -> bool:
        return bool(
            self.answer and self.answer.previous_value is not None and self.answer.value != self.answer.previous_value
        )


@dataclass(frozen=True)
class SectionRows:
    section: Section
    rows: list[IndicatorRow]

    @property
    def required_total(self) -> int:
        return sum(1 for row in self.rows if row.indicator.required or row.indicator.evidence_required)

    @property
    def required_done(self) -> int:
        return sum(
            1 for row in self.rows if (row.indicator.required or row.indicator.evidence_required) and row.complete
        )


# On every section page: compiled once per process.
_answers_read = Prepared(
    lambda application_id: Answer.objects.filter(application_id=application_id).select_related("updated_by")
)
_evidence_read = Prepared(
    lambda application_id: Evidence.objects.filter(application_id=application_id).order_by("uploaded_at", "pk")
)


def application_sections(application: Application, only_section: str | None = None) -> list[SectionRows]:
    """Every section with its indicators, answers and evidence: two queries whatever the
    size (the questionnaire itself is kept by the process: ``assessments.structure``)."""
    structure = structure_of(application.version)
    sections = structure.sections
    if only_section:
        sections = tuple(section for section in sections if section.code == only_section)
    answers = {a.indicator_id: a for a in knowing(_answers_read.all(application.pk), application=application)}
    evidence: dict[int, list[Evidence]] = {}
    for item in knowing(_evidence_read.all(application.pk), application=application):
        evidence.setdefault(item.indicator_id, []).append(item)
    return [
        SectionRows(
            section,
            [
                IndicatorRow(ind, answers.get(ind.pk), evidence.get(ind.pk, []))
                for ind in structure.indicators_of[section.pk]
            ],
        )
        for section in sections
    ]


@dataclass(frozen=True)
class SectionProgress:
    """A section and how far its required items are: what the case's overview lists."""

    section: Section
    required_done: int
    required_total: int


def progress(sections: Sequence[SectionRows | SectionProgress]) -> tuple[int, int]:
    """(required items complete, required items in all)."""
    return sum(s.required_done for s in sections), sum(s.required_total for s in sections)


def progress_of(application: Application) -> tuple[int, int]:
    """``progress(application_sections(application))`` in one query: the required
    indicators, each with its answer's value and whether it has evidence (an
    autosave's progress bar needs no more)."""
    rows = _required_rows(application)
    return sum(1 for row in rows if row.complete), len(rows)


def sections_progress(application: Application) -> list[SectionProgress]:
    """Every section with how many of its required items are complete, in one query
    whatever the size: no answer, evidence or person is built (the overview shows
    counts; ``application_sections`` is for the pages that show the answers)."""
    done: Counter[int] = Counter()
    total: Counter[int] = Counter()
    for row in _required_rows(application):
        total[row.indicator.section_id] += 1
        done[row.indicator.section_id] += row.complete
    return [
        SectionProgress(section, done[section.pk], total[section.pk])
        for section in structure_of(application.version).sections
    ]


def _required_rows(application: Application) -> list[IndicatorRow]:
    """The required indicators (an answer or evidence required), each with its answer's
    value and whether it has any evidence: enough to tell whether it is complete."""
    values, with_evidence = _answer_values_and_files(application)
    return [
        IndicatorRow(
            indicator,
            Answer(value=values.get(indicator.pk)),
            # Only whether there is any evidence counts towards progress.
            [Evidence()] if indicator.pk in with_evidence else [],
        )
        for indicator in structure_of(application.version).required
    ]


def _answer_values_and_files(application: Application) -> tuple[dict[int, Any], set[int]]:
    """Each answered indicator's value, and the indicators with a file, in one query."""
    answers = (
        Answer.objects.filter(application=application)
        .values_list("indicator_id", "value", Value(False, output_field=BooleanField()))
        .order_by()
    )
    files = (
        Evidence.objects.filter(application=application)
        .values_list("indicator_id", Value(None, output_field=JSONField()), Value(True, output_field=BooleanField()))
        .order_by()
    )
    values: dict[int, Any] = {}
    with_evidence: set[int] = set()
    for indicator_id, value, is_file in answers.union(files, all=True):
        if is_file:
            with_evidence.add(indicator_id)
        else:
            values[indicator_id] = value
    return values, with_evidence


def missing_items(sections: list[SectionRows]) -> list[tuple[Section, IndicatorRow, str]]:
    """What stops a submission, each with the reason, in questionnaire order."""
    missing = []
    for section in sections:
        for row in section.rows:
            if row.indicator.required and not row.answered:
                missing.append((section.section, row, _("not answered")))
            elif row.evidence_missing:
                missing.append((section.section, row, _("evidence missing")))
    return missing


def applications_for_user_organisations(user: User) -> QuerySet[Application]:
    return (
        Application.objects.filter(
            Q(organisation__memberships__user=user) & Q(organisation__memberships__left_at__isnull=True)
        )
        .select_related("organisation", "version")
        .distinct()
        .order_by("-created_at")
    )


def assessor_cases(user: User) -> QuerySet[Assignment]:
    """The expert's assignments still to act on, newest first."""
    return (
        Assignment.objects.filter(assessor=user, state__in=[AssignmentState.PENDING, AssignmentState.ACCEPTED])
        .exclude(application__state__in=CLOSED_STATES)
        .select_related("application__organisation")
        .order_by("-assigned_at")
    )


def office_case_lists() -> dict[str, Any]:
    """The office's work: every case waiting for it, and every overdue question,
    so no case waits without being on someone's list."""
    cases = Application.objects.select_related("organisation").order_by("submitted_at")
    return {
        "to_assign": cases.filter(state__in=[ApplicationState.SUBMITTED, ApplicationState.ASSESSOR_ASSIGNMENT]),
        "to_check": cases.filter(state__in=[ApplicationState.ASSESSED, ApplicationState.IN_QUALITY_CHECK]),
        "in_assessment": cases.filter(
            state__in=[ApplicationState.IN_ASSESSMENT, ApplicationState.CLARIFICATION_REQUESTED]
        ),
        "awaiting_decision": cases.filter(state=ApplicationState.AWAITING_DECISION),
        "overdue": Clarification.objects.filter(OPEN_CLARIFICATION, due_on__lt=timezone.localdate())
        .select_related("application__organisation")
        .order_by("due_on"),
    }


def cases_awaiting_decision(user: User) -> QuerySet[CommitteeCase]:
    """The committee's queue, each case marked ``assessed_by_me`` (four eyes) in the same query."""
    mine = Assignment.objects.filter(application=OuterRef("pk"), assessor=user).exclude(state=AssignmentState.REMOVED)
    return (
        Application.objects.filter(state=ApplicationState.AWAITING_DECISION)
        .select_related("organisation", "report")
        .annotate(assessed_by_me=Exists(mine))
        .order_by("submitted_at")
    )


OPEN_STATES = [s for s in ApplicationState if s not in (*CLOSED_STATES, ApplicationState.DRAFT)]


def assessors_offered(application: Application) -> list[AssessorProfile]:
    """Active experts certified for the level, never one who is or was a member
    of the organisation, with their open workload (``open_cases``)."""
    former_members = Membership.objects.filter(organisation=application.organisation).values("user_id")
    already = application.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES).values("assessor_id")
    # Declined, removed by the office or ended by a conflict: not offered for this case again.
    declined = application.assignments.filter(
        state__in=[AssignmentState.DECLINED, AssignmentState.REMOVED, AssignmentState.VOIDED]
    ).values("assessor_id")
    linked = StandingDeclaration.objects.filter(
        organisation=application.organisation, withdrawn_at__isnull=True
    ).values("assessor_id")
    profiles = (
        AssessorProfile.objects.filter(is_active=True, user__is_active=True)
        .exclude(user_id__in=former_members)
        .exclude(user_id__in=linked)
        .exclude(user_id__in=already)
        .exclude(user_id__in=declined)
        .select_related("user")
        .prefetch_related("sectors")
        .annotate(
            open_cases=Count(
                "user__assignments",
                filter=Q(
                    user__assignments__state__in=ACTIVE_ASSIGNMENT_STATES,
                    user__assignments__application__state__in=OPEN_STATES,
                ),
            )
        )
        .order_by("open_cases", "user__full_name")
    )
    return [p for p in profiles if application.level in p.certified_levels]


def declared_links(
    organisation: ClusterOrganisation, assessor_ids: list[int] | None = None
) -> list[StandingDeclaration]:
    """The standing declarations in force that link experts to ``organisation``
    (of the given experts only, when named): each keeps that expert off its cases."""
    links = StandingDeclaration.objects.filter(organisation=organisation, withdrawn_at__isnull=True)
    if assessor_ids is not None:
        links = links.filter(assessor_id__in=assessor_ids)
    return list(links.select_related("assessor").order_by("assessor__full_name", "pk"))


def standing_declarations_of(user: User) -> QuerySet[StandingDeclaration]:
    """An expert's own declarations, those in force first, withdrawn ones kept as history."""
    return (
        StandingDeclaration.objects.filter(assessor=user)
        .select_related("organisation")
        .order_by(F("withdrawn_at").desc(nulls_first=True), "-declared_at", "-pk")
    )


def is_shared_scoring(application: Application) -> bool:
    """With one expert, their score is the agreed score; with two, each scores alone first."""
    return rules_for(application.level).assessors == 1


def agreed_scores(application: Application) -> dict[int, Score]:
    return {s.indicator_id: s for s in Score.objects.filter(application=application, assignment__isnull=True)}


def result_of(application: Application) -> Result:
    indicators = list(structure_of(application.version).indicators)
    return compute_result(
        level=application.level,
        indicators=indicators,
        agreed=agreed_scores(application),
        eligible=eligibility_of(application.organisation).is_eligible,
        areas=list(application.improvement_areas.all()) if application.level == Level.SILVER else (),
    )


def overdue_clarifications() -> Any:
    return Clarification.objects.filter(OPEN_CLARIFICATION, due_on__lt=timezone.localdate()).select_related(
        "application__organisation"
    )


# On every page of a case: compiled once per process.
_clarifications_read = Prepared(
    lambda application_id: (
        Clarification.objects.filter(application_id=application_id)
        .select_related("indicator", "asked_by", "answered_by")
        .order_by("asked_at", "id")
    )
)


def clarifications_of(application: Application) -> list[Clarification]:
    """The assessors' questions on the case, oldest first, with their indicators and people."""
    return knowing(_clarifications_read.all(application.pk), application=application)


def transitions_of(application: Application) -> list[StateChange]:
    """The application's moves, oldest first, from the one history."""
    return state_changes_of(application, workflow="application")
