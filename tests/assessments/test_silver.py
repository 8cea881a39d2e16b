"""Silver as the scheme runs it: the second benchmarking, 18 to 24 months after the first,
three improvement areas from the first benchmarking's recommendations, validated by the
auditor against the Gold criteria, and the baseline minimums of the configuration."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from accounts.models import User
from assessments.enums import ApplicationState, DecisionOutcome
from assessments.models import Application, AssessmentReport, Indicator, QuestionnaireVersion, Score
from assessments.reports import render_report
from assessments.selectors import result_of
from assessments.services import applications, assessing, silver
from assessments.silver import benchmarking_recommendations
from clusters.models import Membership
from common.enums import Level
from common.errors import ActionRefused
from labels.enums import LabelSource
from labels.models import Label
from labels.services import label_create
from tests.assessments.conftest import make_version
from tests.assessments.test_applications import answer_all, upload
from tests.board import decide_at_meeting
from tests.factories import MembershipFactory

FIRST = date(2024, 5, 25)  # the first benchmarking: Silver from 25 Nov 2025 to 25 May 2026
SOURCES = ["group:S1", "group:S2", "indicator:S1.1"]


@pytest.fixture
def silver_version(db: None, settings: Settings) -> QuestionnaireVersion:
    # The test questionnaire's yes/no question stands for the baseline minimums.
    settings.LABEL_SCHEME = {
        **settings.LABEL_SCHEME,
        "silver": {**settings.LABEL_SCHEME["silver"], "baseline_minimums": ["S1.4"]},
    }
    return make_version(Level.SILVER)


def benchmarking(bronze: QuestionnaireVersion, membership: Membership, on: date) -> Application:
    """An awarded Bronze benchmarking with its recommendations, as the assessor wrote them."""
    application = Application.objects.create(organisation=membership.organisation, level=Level.BRONZE, version=bronze)
    Application.objects.filter(pk=application.pk).update(state=ApplicationState.AWARDED, assessed_on=on)
    AssessmentReport.objects.create(
        application=application,
        recommendations={"S1": "Grow the membership beyond the region.", "S2": "Offer paid services."},
        passed=True,
    )
    Score.objects.create(
        application=application,
        indicator=Indicator.objects.get(version=bronze, code="S1.1"),
        met=True,
        recommendation="Recruit research organisations.",
    )
    return application


def start(membership: Membership, today: date) -> Application:
    return applications.application_start(
        organisation=membership.organisation, level=Level.SILVER, by=membership.user, today=today
    )


@pytest.mark.parametrize(
    ("today", "allowed"),
    [
        (date(2025, 11, 24), False),  # a day before the window
        (date(2025, 11, 25), True),  # its first day
        (date(2026, 5, 25), True),  # its last day
        (date(2026, 5, 26), False),  # a day after
    ],
)
def test_silver_window_edges(
    bronze: QuestionnaireVersion, silver_version: QuestionnaireVersion, manager: Membership, today: date, allowed: bool
) -> None:
    first = benchmarking(bronze, manager, FIRST)

    if allowed:
        application = start(manager, today)
        assert (application.first_benchmarking, application.first_benchmarked_on) == (first, FIRST)
    else:
        with pytest.raises(ActionRefused, match="Silver needs a Bronze benchmarking"):
            start(manager, today)


def test_the_second_benchmarking_never_closes_the_window(
    bronze: QuestionnaireVersion, silver_version: QuestionnaireVersion, manager: Membership
) -> None:
    first = benchmarking(bronze, manager, FIRST)
    benchmarking(bronze, manager, date(2025, 12, 1))  # a Bronze renewal inside the Silver window

    application = start(manager, date(2026, 1, 10))

    assert application.first_benchmarking == first


def test_window_is_told_in_advance(bronze: QuestionnaireVersion, manager: Membership) -> None:
    benchmarking(bronze, manager, FIRST)

    problem = applications.silver_timing_problem(manager.organisation, date(2025, 1, 1))

    assert problem is not None and "from 2025-11-25 to 2026-05-25" in problem


def _silver_draft(bronze: QuestionnaireVersion, manager: Membership) -> Application:
    benchmarking(bronze, manager, timezone.localdate().replace(day=1) - _months(20))
    application = start(manager, timezone.localdate())
    answer_all(application, manager.user)
    upload(application, manager.user)
    return application


def _months(n: int) -> relativedelta:
    return relativedelta(months=n)


def test_manager_chooses_three_areas_from_the_first_benchmarkings_recommendations(
    bronze: QuestionnaireVersion, silver_version: QuestionnaireVersion, manager: Membership
) -> None:
    application = _silver_draft(bronze, manager)
    offered = [r.source for r in benchmarking_recommendations(application)]
    assert offered == SOURCES

    with pytest.raises(ActionRefused, match="Choose 3 different"):
        silver.improvement_areas_choose(application=application, by=manager.user, sources=SOURCES[:2])
    with pytest.raises(ActionRefused, match="Choose 3 different"):
        silver.improvement_areas_choose(application=application, by=manager.user, sources=[SOURCES[0]] * 3)
    with pytest.raises(ActionRefused, match="Choose among"):
        silver.improvement_areas_choose(application=application, by=manager.user, sources=[*SOURCES[:2], "group:S9"])
    with pytest.raises(ActionRefused, match="Choose the 3 improvement areas"):
        applications.application_submit(application=application, by=manager.user)

    areas = silver.improvement_areas_choose(application=application, by=manager.user, sources=SOURCES)

    assert [(a.position, a.recommendation) for a in areas] == [
        (1, "Grow the membership beyond the region."),
        (2, "Offer paid services."),
        (3, "Recruit research organisations."),
    ]
    assert applications.application_submit(application=application, by=manager.user).state == "submitted"


def test_only_the_manager_chooses(
    bronze: QuestionnaireVersion, silver_version: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = _silver_draft(bronze, manager)
    contributor = MembershipFactory(organisation=manager.organisation, role="contributor").user

    for person in (contributor, staff["office"], staff["expert_rs"]):
        with pytest.raises(PermissionDenied):
            silver.improvement_areas_choose(application=application, by=person, sources=SOURCES)


def _in_assessment(bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]) -> Application:
    application = _silver_draft(bronze, manager)
    silver.improvement_areas_choose(application=application, by=manager.user, sources=SOURCES)
    applications.application_submit(application=application, by=manager.user)
    assessing.assignment_create(application=application, assessors=[staff["expert_rs"]], by=staff["office"])
    assessing.assignment_declare(assignment=application.assignments.get(), by=staff["expert_rs"], no_conflict=True)
    return application


def _minimum(application: Application, expert: User, met: bool) -> None:
    indicator = Indicator.objects.get(version=application.version, code="S1.4")
    assessing.score_save(application=application, indicator=indicator, by=expert, met=met)


def _validate_all(application: Application, expert: User) -> None:
    for area in application.improvement_areas.all():
        silver.improvement_area_validate(area=area, by=expert, validated=True, gold_criterion="")


def test_auditor_validates_each_area_and_a_refusal_needs_a_reason(
    bronze: QuestionnaireVersion, silver_version: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = _in_assessment(bronze, manager, staff)
    area = application.improvement_areas.get(position=2)

    for person in (manager.user, staff["office"], staff["expert_de"]):
        with pytest.raises(PermissionDenied):
            silver.improvement_area_validate(area=area, by=person, validated=True)
    with pytest.raises(ActionRefused, match="Give the reason"):
        silver.improvement_area_validate(area=area, by=staff["expert_rs"], validated=False, note=" ")

    silver.improvement_area_validate(area=area, by=staff["expert_rs"], validated=False, note="No paid service yet.")
    area.refresh_from_db()
    assert (area.validated, area.validation_note, area.validated_by) == (
        False,
        "No paid service yet.",
        staff["expert_rs"],
    )


def test_completion_waits_for_every_area_and_minimum(
    bronze: QuestionnaireVersion, silver_version: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = _in_assessment(bronze, manager, staff)

    with pytest.raises(ActionRefused, match=r"Not scored yet: S1\.4, area 1, area 2, area 3"):
        assessing.assessment_complete(
            application=application, by=staff["expert_rs"], assessed_on=timezone.localdate(), summary="S"
        )


def test_a_failed_minimum_means_no_silver_and_says_which(
    bronze: QuestionnaireVersion, silver_version: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = _in_assessment(bronze, manager, staff)
    _validate_all(application, staff["expert_rs"])
    _minimum(application, staff["expert_rs"], met=False)

    result = result_of(application)

    assert result.passed is False
    assert result.notes == ["Baseline minimum requirement not met: S1.4 Question S1.4."]


def test_an_area_not_validated_means_no_silver_and_says_which(
    bronze: QuestionnaireVersion, silver_version: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = _in_assessment(bronze, manager, staff)
    _validate_all(application, staff["expert_rs"])
    silver.improvement_area_validate(
        area=application.improvement_areas.get(position=3), by=staff["expert_rs"], validated=False, note="Not yet."
    )
    _minimum(application, staff["expert_rs"], met=True)

    result = result_of(application)

    assert (result.passed, result.notes) == (False, ["Improvement area 3 not validated: Not yet."])


def test_silver_case_decided_gives_the_silver_label(
    bronze: QuestionnaireVersion,
    silver_version: QuestionnaireVersion,
    manager: Membership,
    staff: dict[str, User],
    settings: Settings,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    application = _in_assessment(bronze, manager, staff)
    _validate_all(application, staff["expert_rs"])
    _minimum(application, staff["expert_rs"], met=True)
    report = assessing.assessment_complete(
        application=application, by=staff["expert_rs"], assessed_on=timezone.localdate(), summary="Visited."
    )
    assert report.passed is True
    assessing.quality_check(application=application, by=staff["office"], to_state=ApplicationState.IN_QUALITY_CHECK)
    assessing.quality_check(application=application, by=staff["office"], to_state=ApplicationState.AWAITING_DECISION)

    decide_at_meeting(application=application, by=staff["committee"], outcome=DecisionOutcome.AWARDED)

    assert Label.objects.get(organisation=manager.organisation, level=Level.SILVER).application == application
    # The report PDF, with the three areas and their verdicts, renders.
    render_report(application.pk)
    report.refresh_from_db()
    assert report.pdf.read()[:5] == b"%PDF-"


def test_pages_choose_then_validate(
    bronze: QuestionnaireVersion,
    silver_version: QuestionnaireVersion,
    manager: Membership,
    staff: dict[str, User],
    client: Client,
) -> None:
    application = _silver_draft(bronze, manager)
    url = reverse("assessments:improvement_areas", args=[application.pk])
    client.force_login(manager.user)
    assert "Offer paid services." in client.get(url).content.decode()

    response = client.post(url, {"area_1": SOURCES[2], "area_2": SOURCES[0], "area_3": SOURCES[1]})

    assert response.status_code == 302
    assert list(application.improvement_areas.values_list("source", flat=True)) == [SOURCES[2], *SOURCES[:2]]
    applications.application_submit(application=application, by=manager.user)
    assessing.assignment_create(application=application, assessors=[staff["expert_rs"]], by=staff["office"])
    assessing.assignment_declare(assignment=application.assignments.get(), by=staff["expert_rs"], no_conflict=True)
    validate = reverse("assessments:improvement_areas_validate", args=[application.pk])
    assert client.get(validate).status_code == 404  # the manager does not see the auditor's page
    client.force_login(staff["expert_rs"])
    area = application.improvement_areas.get(position=1)

    client.post(validate, {"area": area.pk, "validated": "no", "gold_criterion": "", "note": "Only planned."})

    area.refresh_from_db()
    assert (area.validated, area.validation_note) == (False, "Only planned.")


def test_start_page_tells_the_silver_window_in_advance(
    bronze: QuestionnaireVersion, manager: Membership, client: Client
) -> None:
    benchmarking(bronze, manager, timezone.localdate() - _months(6))
    client.force_login(manager.user)

    page = client.get(reverse("clusters:manager_start")).content.decode()

    window = applications.silver_window(manager.organisation, timezone.localdate())
    assert window is not None and window.opens_on > timezone.localdate()
    assert f'data-testid="silver-window-{manager.organisation.slug}"' in page
    assert "Silver possible from" in page


def test_a_silver_label_is_renewed_in_its_window_without_a_new_bronze(
    bronze: QuestionnaireVersion, silver_version: QuestionnaireVersion, manager: Membership
) -> None:
    benchmarking(bronze, manager, date(2024, 5, 25))
    label_create(
        organisation=manager.organisation,
        level=Level.SILVER,
        assessed_on=date(2026, 3, 15),
        source=LabelSource.IMPORT,
    )  # valid to 31 March 2028: renewable from 1 October 2027

    with pytest.raises(ActionRefused, match="Its renewal can start from"):
        start(manager, date(2027, 9, 30))
    assert start(manager, date(2027, 10, 1)).level == Level.SILVER


def test_a_failed_minimum_cannot_be_awarded(
    bronze: QuestionnaireVersion, silver_version: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = _in_assessment(bronze, manager, staff)
    _validate_all(application, staff["expert_rs"])
    _minimum(application, staff["expert_rs"], met=False)
    report = assessing.assessment_complete(
        application=application, by=staff["expert_rs"], assessed_on=timezone.localdate(), summary="Visited."
    )
    assessing.quality_check(application=application, by=staff["office"], to_state=ApplicationState.IN_QUALITY_CHECK)
    assessing.quality_check(application=application, by=staff["office"], to_state=ApplicationState.AWAITING_DECISION)

    with pytest.raises(ActionRefused, match="does not pass"):
        decide_at_meeting(application=application, by=staff["committee"], outcome=DecisionOutcome.AWARDED)

    assert report.result_notes == ["Baseline minimum requirement not met: S1.4 Question S1.4."]
    assert not Label.objects.filter(level=Level.SILVER).exists()
