from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import timezone
from pytest_django import Settings

from accounts.models import User
from assessments.enums import ApplicationState, DecisionOutcome
from assessments.models import AssessmentReport, Indicator
from assessments.services import assessing
from clusters.models import Membership
from labels.models import Label
from tests.assessments import conftest as assessments_fixtures
from tests.assessments.conftest import make_version
from tests.assessments.test_workflow import score_everything, submitted
from tests.board import decide_at_meeting

organisation = assessments_fixtures.organisation
manager = assessments_fixtures.manager
staff = assessments_fixtures.staff


@pytest.fixture(autouse=True)
def media_root(settings: Settings, tmp_path: Path) -> Path:
    """Uploaded files and exports go to a throw-away folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def gold_awarded(manager: Membership, staff: dict[str, User]) -> SimpleNamespace:
    """A Gold case assessed by two experts, a question asked and answered, awarded by the committee."""
    # Points make the Gold pass mark reachable: every indicator met gives 100 %.
    Indicator.objects.filter(version=make_version("gold")).update(max_points=10)
    application = submitted(manager, "gold")
    experts = [staff["expert_rs"], staff["expert_de"]]
    assessing.assignment_create(application=application, assessors=experts, by=staff["office"])
    for expert in experts:
        assessing.assignment_declare(
            assignment=application.assignments.get(assessor=expert), by=expert, no_conflict=True
        )
    clarification = assessing.clarification_ask(
        application=application,
        by=staff["expert_rs"],
        question=f"{manager.user.full_name}, which events did you run?",
        due_on=date.today() + timedelta(days=14),
    )
    assessing.clarification_answer(
        clarification=clarification, by=manager.user, answer=f"Matchmaking days; ask me at {manager.user.email}."
    )
    for expert in experts:
        score_everything(application, expert, met=True)
        assessing.own_scores_submit(application=application, by=expert)
    for expert in experts:
        # Four eyes on the agreed scores: both experts confirm them before completion.
        assessing.agreed_scores_confirm(application=application, by=expert)
    assessing.assessment_complete(
        application=application,
        by=staff["expert_rs"],
        assessed_on=timezone.localdate(),
        summary=f"Solid work, reported by {staff['expert_rs'].full_name}.",
    )
    assessing.quality_check(application=application, by=staff["office"], to_state=ApplicationState.IN_QUALITY_CHECK)
    assessing.quality_check(application=application, by=staff["office"], to_state=ApplicationState.AWAITING_DECISION)
    report = AssessmentReport.objects.get(application=application)
    assert report.passed, report.result_notes
    decide_at_meeting(application=application, by=staff["committee"], outcome=DecisionOutcome.AWARDED)
    return SimpleNamespace(
        application=application,
        label=Label.objects.get(application=application),
        manager=manager.user,
        expert=staff["expert_rs"],
        other_expert=staff["expert_de"],
        clarification=clarification,
        staff=staff,
    )
