"""Work queues (issue 20): each role's start page leads with what waits for that person, the late
first and marked so, oldest first; nobody's queue holds another person's step."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from assessments.enums import ApplicationState
from assessments.models import Application, Assignment, Clarification, QuestionnaireVersion
from assessments.queues import QUEUE_SHOWN, work_queue
from assessments.services import assessing
from clusters.enums import MembershipRole
from clusters.models import Membership
from common.enums import Level
from tests.assessments.conftest import ELIGIBLE, make_version
from tests.assessments.test_applications import start
from tests.assessments.test_workflow import submitted
from tests.factories import MembershipFactory, OrganisationFactory, PartnerFactory, PartnerStaffFactory


def _assigned_on(application: Application, day: date) -> None:
    moment = timezone.make_aware(datetime.combine(day, time.min))
    Assignment.objects.filter(application=application).update(assigned_at=moment)


def test_an_expert_sees_his_late_declaration_first_and_his_scoring_with_its_date(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    expert = staff["expert_rs"]
    late_case = submitted(manager)
    assessing.assignment_create(application=late_case, assessors=[expert], by=staff["office"])
    _assigned_on(late_case, timezone.localdate() - timedelta(days=30))
    scoring_case = submitted(MembershipFactory(organisation=OrganisationFactory(**ELIGIBLE)))
    assessing.assignment_create(application=scoring_case, assessors=[expert], by=staff["office"])
    assessing.assignment_declare(assignment=scoring_case.assignments.get(), by=expert, no_conflict=True)

    queue = work_queue(expert)

    assert [(item.application.pk, item.late) for item in queue] == [(late_case.pk, True), (scoring_case.pk, False)]
    assert queue[0].url == reverse("assessments:assignment_declare", args=[late_case.assignments.get().pk])
    assert queue[1].deadline is not None and queue[1].deadline > timezone.localdate()
    # Nobody else's queue holds his steps.
    assert work_queue(staff["expert_de"]) == []


def test_a_manager_sees_the_question_to_answer_and_his_draft_a_contributor_neither(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    expert = staff["expert_rs"]
    case = submitted(manager)
    assessing.assignment_create(application=case, assessors=[expert], by=staff["office"])
    assessing.assignment_declare(assignment=case.assignments.get(), by=expert, no_conflict=True)
    question = assessing.clarification_ask(
        application=case, by=expert, question="Which events?", due_on=timezone.localdate() + timedelta(days=1)
    )
    Clarification.objects.filter(pk=question.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    make_version(Level.GOLD)
    draft = start(manager, level=Level.GOLD)
    contributor = MembershipFactory(organisation=manager.organisation, role=MembershipRole.CONTRIBUTOR).user

    queue = work_queue(manager.user)

    assert [(item.application.pk, item.late) for item in queue] == [(case.pk, True), (draft.pk, False)]
    assert work_queue(contributor) == []


def test_the_office_sees_cases_to_assign_and_late_quality_checks_the_committee_its_decisions(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    to_assign = submitted(manager)
    to_check = submitted(MembershipFactory(organisation=OrganisationFactory(**ELIGIBLE)))
    long_ago = timezone.now() - timedelta(days=60)
    Application.objects.filter(pk=to_check.pk).update(state=ApplicationState.ASSESSED, state_changed_at=long_ago)
    to_decide = submitted(MembershipFactory(organisation=OrganisationFactory(**ELIGIBLE)))
    Application.objects.filter(pk=to_decide.pk).update(
        state=ApplicationState.AWAITING_DECISION, state_changed_at=timezone.now()
    )

    office = work_queue(staff["office"])
    committee = work_queue(staff["committee"])

    assert [(item.application.pk, item.late) for item in office] == [(to_check.pk, True), (to_assign.pk, False)]
    assert office[1].url == reverse("assessments:case_assign", args=[to_assign.pk])
    assert [(item.application.pk, item.late) for item in committee] == [(to_decide.pk, False)]


def test_a_partner_sees_the_late_cases_of_its_countries_without_who_is_late(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User], client: Client
) -> None:
    case = submitted(manager)
    assessing.assignment_create(application=case, assessors=[staff["expert_rs"]], by=staff["office"])
    _assigned_on(case, timezone.localdate() - timedelta(days=30))
    serbian = PartnerStaffFactory(partner=PartnerFactory(countries=["RS"])).user
    german = PartnerStaffFactory(partner=PartnerFactory(countries=["DE"])).user

    assert [(item.application.pk, item.late, item.url) for item in work_queue(serbian)] == [(case.pk, True, "")]
    assert work_queue(german) == []
    client.force_login(serbian)
    page = client.get(reverse("clusters:partner_start")).content.decode()
    queue = page[page.index('data-testid="work-queue"') :]
    assert case.organisation.name in queue and staff["expert_rs"].get_full_name() not in page


def test_each_start_page_leads_with_the_queue(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User], client: Client
) -> None:
    pages = {
        manager.user: "clusters:manager_start",
        staff["expert_rs"]: "accounts:assessor_start",
        staff["office"]: "labels:office_start",
        staff["committee"]: "labels:committee_start",
    }
    for person, name in pages.items():
        client.force_login(person)
        page = client.get(reverse(name)).content.decode()
        assert 'data-testid="work-queue"' in page, name
        main = page[page.index("<main") :]
        # First on the page after its title: before any other card or panel.
        assert main.index('data-testid="work-queue"') < main.index("</h1>") + 2000, name


def test_an_experts_start_page_lists_his_own_assignments_only(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User], client: Client
) -> None:
    """The scope ``assessor_cases``: who assesses whom is not for the other experts to read."""
    mine = submitted(manager)
    theirs = submitted(MembershipFactory(organisation=OrganisationFactory(**ELIGIBLE)))
    assessing.assignment_create(application=mine, assessors=[staff["expert_rs"]], by=staff["office"])
    assessing.assignment_create(application=theirs, assessors=[staff["expert_de"]], by=staff["office"])
    client.force_login(staff["expert_rs"])

    page = client.get(reverse("accounts:assessor_start")).content.decode()

    assert reverse("assessments:assignment_declare", args=[mine.assignments.get().pk]) in page
    assert reverse("assessments:assignment_declare", args=[theirs.assignments.get().pk]) not in page
    assert reverse("assessments:application_detail", args=[theirs.pk]) not in page
    assert theirs.organisation.name not in page


def _cases_to_assign(count: int, version: QuestionnaireVersion) -> None:
    """``count`` submitted cases waiting for their experts, written in bulk."""
    organisations = [OrganisationFactory(**ELIGIBLE) for _n in range(count)]
    Application.objects.bulk_create(
        [
            Application(
                organisation=o,
                level=Level.BRONZE,
                version=version,
                state=ApplicationState.SUBMITTED,
                submitted_at=timezone.now() - timedelta(days=n),
            )
            for n, o in enumerate(organisations)
        ]
    )


def test_the_office_start_page_shows_the_oldest_cases_and_counts_the_rest(
    bronze: QuestionnaireVersion, staff: dict[str, User], client: Client
) -> None:
    _cases_to_assign(QUEUE_SHOWN + 5, bronze)
    client.force_login(staff["office"])

    page = client.get(reverse("labels:office_start")).content.decode()

    assert page.count('data-testid="queue-item"') == QUEUE_SHOWN
    assert "And 5 more." in page
    oldest = Application.objects.order_by("submitted_at").first()
    assert oldest is not None and reverse("assessments:case_assign", args=[oldest.pk]) in page


def test_the_office_queue_costs_the_same_with_more_cases(
    bronze: QuestionnaireVersion, staff: dict[str, User], client: Client
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff["office"])
    counts = []
    for count in (QUEUE_SHOWN + 1, 3 * QUEUE_SHOWN):
        Application.objects.all().delete()
        _cases_to_assign(count, bronze)
        client.get(reverse("labels:office_start"))
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("labels:office_start")).content.decode()
        counts.append(len(queries))
        assert page.count('data-testid="queue-item"') == QUEUE_SHOWN

    assert counts[0] == counts[1]


def test_the_bodies_queues_cut_in_the_database_are_the_first_of_the_whole_queue(
    bronze: QuestionnaireVersion, staff: dict[str, User]
) -> None:
    """The office's quality checks and the committee's decisions are ordered, cut and counted in
    the database: the page's first items and counts are those of the whole queue, late first."""
    from assessments.models import AssessmentReport
    from assessments.queues import queue_of

    _cases_to_assign(QUEUE_SHOWN + 3, bronze)
    cases = list(Application.objects.order_by("pk"))
    now = timezone.now()
    for n, case in enumerate(cases[:-8]):  # quality checks, a day apart: the oldest are late
        Application.objects.filter(pk=case.pk).update(
            state=ApplicationState.ASSESSED, state_changed_at=now - timedelta(days=n, hours=n % 3)
        )
        if n % 4 == 0:  # dated from the report's completion, not from the state
            AssessmentReport.objects.create(application=case, summary="s", completed_at=now - timedelta(days=n + 2))
    for n, case in enumerate(cases[-8:]):
        Application.objects.filter(pk=case.pk).update(
            state=ApplicationState.AWAITING_DECISION, state_changed_at=now - timedelta(days=10 * n)
        )

    for person in (staff["office"], staff["committee"]):
        whole, first = queue_of(person), queue_of(person, limit=10)
        assert [(i.application.pk, i.deadline, i.late) for i in first.items] == [
            (i.application.pk, i.deadline, i.late) for i in whole.items[:10]
        ]
        assert (
            (first.total, first.late)
            == (whole.total, whole.late)
            == (len(whole.items), sum(i.late for i in whole.items))
        )
        assert 0 < whole.late < whole.total
    # The same cases late, with the same deadlines, as the late steps the reminders read.
    from assessments.late_steps import late_steps

    reminded = {s.record_id: s.deadline for s in late_steps() if s.step in ("quality_check", "decide")}
    queued = {i.application.pk: i.deadline for p in ("office", "committee") for i in queue_of(staff[p]).items if i.late}
    assert queued == reminded and len(reminded) > 1
