"""Nothing stuck, impartiality checked continuously (issue 18, items 5 and 6): at the edges."""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.enums import StaffRole
from accounts.models import User
from assessments.enums import ApplicationState, AssignmentState
from assessments.late_steps import late_steps
from assessments.models import (
    Application,
    Assignment,
    Clarification,
    DeadlineReminder,
    QuestionnaireVersion,
    StandingDeclaration,
)
from assessments.services import assessing, conflicts, deadlines
from clusters.enums import MembershipRole
from clusters.models import Membership
from common.enums import Level
from common.errors import ActionRefused
from common.models import ActivityLog, Notification
from common.scheme import add_working_days, case_deadlines
from labels.history import history_entries
from tests.assessments.conftest import ELIGIBLE, make_version
from tests.assessments.test_applications import start
from tests.assessments.test_workflow import score_everything, submitted
from tests.factories import (
    AssessorProfileFactory,
    MembershipFactory,
    OrganisationFactory,
    RoleGrantFactory,
)


def assigned(manager: Membership, staff: dict[str, User], *, declare: bool = True) -> Application:
    application = submitted(manager)
    assessing.assignment_create(application=application, assessors=[staff["expert_rs"]], by=staff["office"])
    if declare:
        assessing.assignment_declare(assignment=application.assignments.get(), by=staff["expert_rs"], no_conflict=True)
    application.refresh_from_db()
    return application


def age_assignment(application: Application, assigned_on: date) -> Assignment:
    assignment = application.assignments.get(state__in=[AssignmentState.PENDING, AssignmentState.ACCEPTED])
    moment = timezone.make_aware(datetime.combine(assigned_on, time.min))
    Assignment.objects.filter(pk=assignment.pk).update(assigned_at=moment, declared_at=None)
    return Assignment.objects.get(pk=assignment.pk)


# --- Item 5: conflicts checked continuously ------------------------------------------------------


def test_expert_who_joins_the_organisation_after_assignment_loses_the_case_and_the_office_is_told(
    bronze: QuestionnaireVersion,
    manager: Membership,
    staff: dict[str, User],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    application = assigned(manager, staff)
    expert = staff["expert_rs"]
    assert expert.has_perm("assessments.view_application", application)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        MembershipFactory(organisation=application.organisation, user=expert, role=MembershipRole.CONTRIBUTOR)

    assignment = application.assignments.get()
    application.refresh_from_db()
    assert assignment.state == AssignmentState.VOIDED
    assert application.state == ApplicationState.ASSESSOR_ASSIGNMENT
    # He now sees it as a member, never as its assessor: no scoring, no result.
    assert not expert.has_perm("assessments.score_application", application)
    assert not expert.has_perm("assessments.view_result", application)
    office_titles = list(Notification.objects.filter(user=staff["office"]).values_list("title", flat=True))
    assert any("conflict of interest" in title for title in office_titles)
    # Who assessed whom, and why it ended, stays with the office: the managers hear nothing of it.
    assert not Notification.objects.filter(user=manager.user, title__icontains="conflict").exists()
    assert [m.to for m in mail.outbox if "conflict" in m.subject] == [[staff["office"].email]]
    # The case's history tells the applicant that an expert was replaced, never why.
    read_by_manager = history_entries(application, viewer=manager.user)
    assert not read_by_manager.filter(action="assignment.voided").exists()
    assert not [e.reason for e in read_by_manager if "organisation" in e.reason]
    assert history_entries(application, viewer=staff["office"]).filter(action="assignment.voided").count() == 1


def test_a_membership_of_another_organisation_voids_nothing(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = assigned(manager, staff)
    other = MembershipFactory(user=staff["expert_rs"])  # another organisation

    assert other.organisation != application.organisation
    assert application.assignments.get().state == AssignmentState.ACCEPTED


def test_a_contradictory_declaration_is_refused_and_the_text_kept(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User], client: Client
) -> None:
    application = assigned(manager, staff, declare=False)
    assignment = application.assignments.get()

    with pytest.raises(ActionRefused, match="no conflict of interest"):
        assessing.assignment_declare(
            assignment=assignment, by=staff["expert_rs"], no_conflict=True, reason="I advised them in 2024."
        )
    client.force_login(staff["expert_rs"])
    page = client.post(
        reverse("assessments:assignment_declare", args=[assignment.pk]),
        {"no_conflict": "on", "reason": "I advised them in 2024."},
    )

    assert page.status_code == 200
    assert "Untick the box" in page.content.decode()
    assert "I advised them in 2024." in page.content.decode()
    assert Assignment.objects.get(pk=assignment.pk).state == AssignmentState.PENDING


def test_a_standing_declaration_blocks_assignment_and_the_form_says_why(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User], client: Client
) -> None:
    application = submitted(manager)
    conflicts.standing_declaration_add(
        by=staff["expert_rs"], organisation=application.organisation, kind=StandingDeclaration.Kind.ADVISED
    )

    with pytest.raises(ActionRefused, match="declared a link"):
        assessing.assignment_create(application=application, assessors=[staff["expert_rs"]], by=staff["office"])
    client.force_login(staff["office"])
    page = client.post(
        reverse("assessments:case_assign", args=[application.pk]), {"assessor": [staff["expert_rs"].pk]}, follow=True
    )
    assert "declared a link" in page.content.decode()
    assert not application.assignments.exists()
    # The form says why the expert is not offered.
    offered = client.get(reverse("assessments:case_assign", args=[application.pk])).content.decode()
    warning = offered.split('data-testid="declared-links"')[1].split("</div>")[0]
    assert staff["expert_rs"].get_full_name() in warning
    assert "I advise or advised it" in warning


def test_a_standing_declaration_after_assignment_ends_it_and_withdrawing_keeps_the_history(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = assigned(manager, staff)

    declaration = conflicts.standing_declaration_add(
        by=staff["expert_rs"], organisation=application.organisation, kind=StandingDeclaration.Kind.COMPETITOR
    )
    conflicts.standing_declaration_withdraw(declaration=declaration, by=staff["expert_rs"])

    assert application.assignments.get().state == AssignmentState.VOIDED
    declaration.refresh_from_db()
    assert declaration.withdrawn_at is not None
    actions = ActivityLog.objects.filter(object_id=declaration.pk, action__startswith="standing_declaration.")
    assert sorted(actions.values_list("action", flat=True)) == [
        "standing_declaration.added",
        "standing_declaration.withdrawn",
    ]


def test_standing_declarations_are_the_experts_own(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User], client: Client
) -> None:
    declaration = conflicts.standing_declaration_add(
        by=staff["expert_rs"], organisation=manager.organisation, kind=StandingDeclaration.Kind.EMPLOYER
    )
    client.force_login(staff["expert_de"])

    page = client.get(reverse("assessments:standing_declarations"))
    withdraw = client.post(reverse("assessments:standing_declaration_withdraw", args=[declaration.pk]))

    declared = page.content.decode().split('data-testid="declarations"')[1]
    assert manager.organisation.name not in declared
    assert "You have declared no link." in declared
    assert withdraw.status_code == 404


# --- Item 6: nothing stuck ------------------------------------------------------------------------


def test_a_deadline_passed_by_one_day_yields_exactly_one_reminder_even_when_the_task_runs_twice(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = assigned(manager, staff, declare=False)
    assigned_on = date(2026, 3, 2)  # a Monday
    age_assignment(application, assigned_on)
    deadline = add_working_days(assigned_on, case_deadlines().declare_working_days)

    on_the_day = deadlines.late_steps_remind(today=deadline)
    first = deadlines.late_steps_remind(today=deadline + timedelta(days=1))
    second = deadlines.late_steps_remind(today=deadline + timedelta(days=1))

    assert (on_the_day, first, second) == (0, 1, 0)
    assert list(DeadlineReminder.objects.values_list("step", "deadline")) == [("declare", deadline)]
    titles = Notification.objects.filter(user=staff["expert_rs"], title__startswith="Late")
    assert titles.count() == 1


def test_declaration_deadline_counts_working_days() -> None:
    # Friday + 5 working days is the next Friday; Monday + 5 the next Monday.
    assert add_working_days(date(2026, 3, 6), 5) == date(2026, 3, 13)
    assert add_working_days(date(2026, 3, 2), 5) == date(2026, 3, 9)


def test_office_replaces_an_expert_who_never_declares_and_the_case_keeps_its_history(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = assigned(manager, staff, declare=False)
    first = application.assignments.get()

    deadlines.assignment_remove(assignment=first, by=staff["office"], reason="Never declared.")
    assessing.assignment_create(application=application, assessors=[staff["expert_de"]], by=staff["office"])
    second = application.assignments.get(state=AssignmentState.PENDING)
    assessing.assignment_declare(assignment=second, by=staff["expert_de"], no_conflict=True)

    application.refresh_from_db()
    assert application.state == ApplicationState.IN_ASSESSMENT
    assert list(application.assignments.order_by("pk").values_list("assessor", "state")) == [
        (staff["expert_rs"].pk, AssignmentState.REMOVED),
        (staff["expert_de"].pk, AssignmentState.ACCEPTED),
    ]
    removed = ActivityLog.objects.get(action="assignment.removed", object_id=application.pk)
    assert (removed.actor, removed.reason) == (staff["office"], "Never declared.")
    assert not staff["expert_rs"].has_perm("assessments.declare_conflict", application)
    assert not staff["expert_rs"].has_perm("assessments.view_application", application)


def test_replacing_a_scoring_expert_returns_the_case_and_keeps_the_scores(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = assigned(manager, staff)
    score_everything(application, staff["expert_rs"])

    deadlines.assignment_remove(assignment=application.assignments.get(), by=staff["office"], reason="Ill.")

    application.refresh_from_db()
    assert application.state == ApplicationState.ASSESSOR_ASSIGNMENT
    assert application.scores.count() > 0
    assert not staff["expert_rs"].has_perm("assessments.score_application", application)


def test_only_the_office_replaces_an_expert(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    from django.core.exceptions import PermissionDenied

    application = assigned(manager, staff, declare=False)
    for person in (manager.user, staff["committee"], staff["expert_rs"]):
        with pytest.raises(PermissionDenied):
            deadlines.assignment_remove(assignment=application.assignments.get(), by=person, reason="x")
    with pytest.raises(ActionRefused):
        deadlines.assignment_remove(assignment=application.assignments.get(), by=staff["office"], reason=" ")


def asked(manager: Membership, staff: dict[str, User]) -> tuple[Application, Clarification]:
    application = assigned(manager, staff)
    clarification = assessing.clarification_ask(
        application=application,
        by=staff["expert_rs"],
        question="Which events?",
        due_on=timezone.localdate() + timedelta(days=3),
    )
    return application, clarification


def test_extending_a_question_moves_its_deadline_and_its_reminder(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    _application, clarification = asked(manager, staff)
    old = clarification.due_on
    assert deadlines.late_steps_remind(today=old + timedelta(days=1)) == 1

    new = old + timedelta(days=10)
    deadlines.clarification_extend(clarification=clarification, by=staff["office"], due_on=new, reason="Holidays.")

    clarification.refresh_from_db()
    assert clarification.due_on == new
    assert [s.step for s in late_steps(old + timedelta(days=1))] == []
    assert deadlines.late_steps_remind(today=new + timedelta(days=1)) == 1
    assert sorted(DeadlineReminder.objects.values_list("deadline", flat=True)) == [old, new]
    with pytest.raises(ActionRefused):
        deadlines.clarification_extend(clarification=clarification, by=staff["office"], due_on=new, reason="Again.")


def test_closing_the_last_question_unblocks_the_case(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application, clarification = asked(manager, staff)
    assert Application.objects.get(pk=application.pk).state == ApplicationState.CLARIFICATION_REQUESTED

    deadlines.clarification_close(clarification=clarification, by=staff["office"], reason="Answered by phone.")

    assert Application.objects.get(pk=application.pk).state == ApplicationState.IN_ASSESSMENT
    with pytest.raises(ActionRefused, match="closed"):
        assessing.clarification_answer(clarification=clarification, by=manager.user, answer="Late answer.")


def test_an_idle_draft_is_reminded_then_archived_and_stays_readable(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User], client: Client
) -> None:
    application = start(manager, Level.BRONZE)
    rules = case_deadlines()
    started = timezone.localdate()
    Application.objects.filter(pk=application.pk).update(created_at=timezone.now())

    reminder_day = started + timedelta(days=rules.draft_idle_remind_days)
    assert deadlines.drafts_idle_sweep(today=reminder_day - timedelta(days=1)) == (0, 0)
    assert deadlines.drafts_idle_sweep(today=reminder_day) == (1, 0)
    assert deadlines.drafts_idle_sweep(today=reminder_day) == (0, 0)
    archive_on = DeadlineReminder.objects.get(step="draft_idle").deadline
    assert archive_on == started + timedelta(days=rules.draft_idle_archive_days)
    assert deadlines.drafts_idle_sweep(today=archive_on - timedelta(days=1)) == (0, 0)
    assert deadlines.drafts_idle_sweep(today=archive_on) == (0, 1)

    application.refresh_from_db()
    assert application.state == ApplicationState.ARCHIVED
    assert not manager.user.has_perm("assessments.edit_answers", application)
    client.force_login(manager.user)
    assert client.get(reverse("assessments:application_detail", args=[application.pk])).status_code == 200
    # The level is free again: a new draft can start.
    assert start(manager, Level.BRONZE).pk != application.pk


def test_a_long_idle_draft_found_late_is_announced_before_it_is_archived(
    bronze: QuestionnaireVersion, manager: Membership
) -> None:
    application = start(manager, Level.BRONZE)
    rules = case_deadlines()
    today = timezone.localdate() + timedelta(days=rules.draft_idle_archive_days + 30)

    assert deadlines.drafts_idle_sweep(today=today) == (1, 0)
    assert Application.objects.get(pk=application.pk).state == ApplicationState.DRAFT


def test_the_late_steps_queue_shows_who_is_late_to_the_office_only(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User], client: Client
) -> None:
    application = assigned(manager, staff, declare=False)
    age_assignment(application, timezone.localdate() - timedelta(days=30))
    client.force_login(staff["office"])

    page = client.get(reverse("assessments:late_steps")).content.decode()

    assert staff["expert_rs"].get_full_name() in page
    assert application.organisation.name in page
    for person in (manager.user, staff["committee"], staff["expert_rs"]):
        client.force_login(person)
        assert client.get(reverse("assessments:late_steps")).status_code == 403


def test_the_late_steps_page_costs_the_same_queries_for_one_or_three_late_cases(
    bronze: QuestionnaireVersion,
    staff: dict[str, User],
    client: Client,
) -> None:
    client.force_login(staff["office"])
    long_ago = timezone.localdate() - timedelta(days=30)

    def late_cases(n: int) -> None:
        for _ in range(n):
            organisation = OrganisationFactory(**ELIGIBLE)
            application = assigned(MembershipFactory(organisation=organisation), staff, declare=False)
            age_assignment(application, long_ago)

    late_cases(1)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("assessments:late_steps"))
    late_cases(2)
    with CaptureQueriesContext(connection) as three:
        page = client.get(reverse("assessments:late_steps"))

    assert page.content.decode().count('data-testid="late-declare-') == 3
    assert len(three.captured_queries) == len(one.captured_queries)


def test_the_office_extends_a_question_from_the_case_page_and_the_manager_sees_no_such_form(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User], client: Client
) -> None:
    application, clarification = asked(manager, staff)
    case_page = reverse("assessments:application_detail", args=[application.pk])
    client.force_login(manager.user)
    assert f'data-testid="extend-{clarification.pk}"' not in client.get(case_page).content.decode()

    client.force_login(staff["office"])
    assert f'data-testid="extend-{clarification.pk}"' in client.get(case_page).content.decode()
    new = clarification.due_on + timedelta(days=20)
    client.post(
        reverse("assessments:clarification_extend", args=[application.pk, clarification.pk]),
        {"due_on": new.isoformat(), "reason": "Holidays."},
    )

    clarification.refresh_from_db()
    assert clarification.due_on == new


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_remind_each_late_step_once(postgres: None) -> None:
    make_version(Level.BRONZE)
    office = RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user
    expert = AssessorProfileFactory(home_country="RS", certified_levels=["bronze"]).user
    for _ in range(5):
        manager = MembershipFactory(organisation=OrganisationFactory(**ELIGIBLE))
        application = submitted(manager)
        assessing.assignment_create(application=application, assessors=[expert], by=office)
        age_assignment(application, date(2026, 3, 2))
    day = date(2026, 3, 20)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    sent: list[int] = []

    def run() -> None:
        barrier.wait()
        try:
            sent.append(deadlines.late_steps_remind(today=day))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(sent) == 5
    assert DeadlineReminder.objects.count() == 5
    assert Notification.objects.filter(user=expert, title__startswith="Late").count() == 5


def test_the_daily_check_voids_a_link_recorded_before_the_continuous_check_existed(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = assigned(manager, staff)
    # Written around the services (as data from before this check): no receiver runs.
    Membership.objects.bulk_create(
        [Membership(organisation=application.organisation, user=staff["expert_rs"], role=MembershipRole.CONTRIBUTOR)]
    )
    assert application.assignments.get().state == AssignmentState.ACCEPTED

    first, again = conflicts.assignments_recheck(), conflicts.assignments_recheck()

    assert (first, again) == (1, 0)
    assert application.assignments.get().state == AssignmentState.VOIDED
    assert Application.objects.get(pk=application.pk).state == ApplicationState.ASSESSOR_ASSIGNMENT
