"""Consolidation with four eyes: both experts of a Gold case confirm the agreed scores
before it completes; a change voids the confirmations and tells the other expert; a
disagreement that stays goes to the label office with both positions."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.models import User
from assessments.enums import ApplicationState
from assessments.models import Application, Assignment, Indicator
from assessments.services import assessing
from clusters.models import Membership
from common.errors import ActionRefused
from common.models import Notification
from tests.assessments.conftest import make_version
from tests.assessments.test_workflow import score_everything, submitted


@pytest.fixture
def agreeing(manager: Membership, staff: dict[str, User]) -> Application:
    """A Gold case whose two experts scored alone, handed in and disagree on one indicator."""
    make_version("gold")
    application = submitted(manager, "gold")
    experts = [staff["expert_rs"], staff["expert_de"]]
    assessing.assignment_create(application=application, assessors=experts, by=staff["office"])
    for expert in experts:
        assessing.assignment_declare(
            assignment=application.assignments.get(assessor=expert), by=expert, no_conflict=True
        )
    for expert in experts:
        score_everything(application, expert, met=True)
    first = Indicator.objects.filter(version=application.version).first()
    assert first is not None
    assessing.score_save(application=application, indicator=first, by=staff["expert_de"], met=False)
    for expert in experts:
        assessing.own_scores_submit(application=application, by=expert)
    # The agreed score left open: the German expert proposes it.
    assessing.score_save(application=application, indicator=first, by=staff["expert_de"], met=True, agreed=True)
    return application


def _complete(application: Application, by: User) -> None:
    assessing.assessment_complete(application=application, by=by, assessed_on=timezone.localdate(), summary="Good.")


def _assignment(application: Application, expert: User) -> Assignment:
    return application.assignments.get(assessor=expert)


def test_gold_case_completes_only_once_both_experts_confirmed(agreeing: Application, staff: dict[str, User]) -> None:
    with pytest.raises(ActionRefused, match="Both experts must confirm"):
        _complete(agreeing, staff["expert_de"])
    assessing.agreed_scores_confirm(application=agreeing, by=staff["expert_de"])
    with pytest.raises(ActionRefused, match="Both experts must confirm"):
        _complete(agreeing, staff["expert_de"])

    assessing.agreed_scores_confirm(application=agreeing, by=staff["expert_rs"])
    _complete(agreeing, staff["expert_de"])

    assert Application.objects.get(pk=agreeing.pk).state == ApplicationState.ASSESSED


def test_a_change_after_a_confirmation_voids_it_and_tells_the_other_expert(
    agreeing: Application,
    staff: dict[str, User],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    assessing.agreed_scores_confirm(application=agreeing, by=staff["expert_rs"])
    assessing.agreed_scores_confirm(application=agreeing, by=staff["expert_de"])
    indicator = Indicator.objects.filter(version=agreeing.version).last()
    assert indicator is not None
    told_before = Notification.objects.filter(user=staff["expert_rs"]).count()

    with django_capture_on_commit_callbacks(execute=True):
        assessing.score_save(application=agreeing, indicator=indicator, by=staff["expert_de"], met=False, agreed=True)

    assert _assignment(agreeing, staff["expert_rs"]).agreed_confirmed_at is None
    assert _assignment(agreeing, staff["expert_de"]).agreed_confirmed_at is None
    assert Notification.objects.filter(user=staff["expert_rs"]).count() == told_before + 1
    with pytest.raises(ActionRefused, match="Both experts must confirm"):
        _complete(agreeing, staff["expert_rs"])


def test_confirmation_needs_every_agreed_score(manager: Membership, staff: dict[str, User]) -> None:
    make_version("gold")
    application = submitted(manager, "gold")
    experts = [staff["expert_rs"], staff["expert_de"]]
    assessing.assignment_create(application=application, assessors=experts, by=staff["office"])
    for expert in experts:
        assessing.assignment_declare(
            assignment=application.assignments.get(assessor=expert), by=expert, no_conflict=True
        )
    for expert in experts:
        score_everything(application, expert, met=expert == staff["expert_rs"])
        assessing.own_scores_submit(application=application, by=expert)

    with pytest.raises(ActionRefused):
        assessing.agreed_scores_confirm(application=application, by=staff["expert_rs"])


def test_disagreement_goes_to_the_office_with_both_positions(
    agreeing: Application,
    staff: dict[str, User],
    client: Client,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assessing.disagreement_state(application=agreeing, by=staff["expert_rs"], position="S1.1 is not met.")
    assert Notification.objects.filter(user=staff["office"]).count() == 0
    assert Notification.objects.filter(user=staff["expert_de"]).count() >= 1
    with django_capture_on_commit_callbacks(execute=True):
        assessing.disagreement_state(application=agreeing, by=staff["expert_de"], position="S1.1 is met: see B3.")

    assert Notification.objects.filter(user=staff["office"]).count() == 1
    client.force_login(staff["office"])
    page = client.get(reverse("assessments:application_detail", args=[agreeing.pk])).content.decode()
    assert "S1.1 is not met." in page and "S1.1 is met: see B3." in page


def test_a_position_needs_words(agreeing: Application, staff: dict[str, User]) -> None:
    with pytest.raises(ActionRefused, match="Write your position"):
        assessing.disagreement_state(application=agreeing, by=staff["expert_rs"], position="  ")


def test_one_expert_has_nothing_to_confirm(manager: Membership, staff: dict[str, User], bronze: object) -> None:
    application = submitted(manager)
    assessing.assignment_create(application=application, assessors=[staff["expert_rs"]], by=staff["office"])
    assessing.assignment_declare(assignment=application.assignments.get(), by=staff["expert_rs"], no_conflict=True)
    score_everything(application, staff["expert_rs"])

    with pytest.raises(ActionRefused, match="nothing to confirm"):
        assessing.agreed_scores_confirm(application=application, by=staff["expert_rs"])
    _complete(application, staff["expert_rs"])  # one expert: no confirmation needed

    assert Application.objects.get(pk=application.pk).state == ApplicationState.ASSESSED
