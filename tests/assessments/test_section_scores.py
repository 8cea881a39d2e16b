"""A section's verdicts are saved together: all of them or none, in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from accounts.models import User
from assessments.models import Application, Indicator, QuestionnaireVersion, Score
from assessments.scoring import Verdict
from assessments.services import assessing
from clusters.models import Membership
from common.errors import ActionRefused
from common.models import ActivityLog
from tests.assessments.conftest import make_version
from tests.assessments.test_workflow import submitted


def in_assessment(manager: Membership, staff: dict[str, User]) -> Application:
    application = submitted(manager)
    assessing.assignment_create(application=application, assessors=[staff["expert_rs"]], by=staff["office"])
    assessing.assignment_declare(assignment=application.assignments.get(), by=staff["expert_rs"], no_conflict=True)
    return Application.objects.get(pk=application.pk)


def verdicts_for(indicators: list[Indicator], met: bool = True) -> list[Verdict]:
    return [Verdict(indicator=indicator, met=met, comment=f"on {indicator.code}") for indicator in indicators]


def test_a_refused_verdict_saves_none_of_the_section(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = in_assessment(manager, staff)
    indicators = list(Indicator.objects.filter(version=application.version).order_by("pk"))[:4]
    stranger = Indicator.objects.filter(version=make_version("gold")).first()
    assert stranger is not None

    with pytest.raises(ActionRefused, match="does not belong"):
        assessing.scores_save(
            application=application,
            by=staff["expert_rs"],
            verdicts=[*verdicts_for(indicators), Verdict(stranger, True)],
        )

    assert Score.objects.filter(application=application).count() == 0


def test_saving_again_updates_the_same_rows(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = in_assessment(manager, staff)
    indicators = list(Indicator.objects.filter(version=application.version))

    assessing.scores_save(application=application, by=staff["expert_rs"], verdicts=verdicts_for(indicators))
    assessing.scores_save(application=application, by=staff["expert_rs"], verdicts=verdicts_for(indicators, met=False))

    scores = Score.objects.filter(application=application)
    assert scores.count() == len(indicators)
    assert {score.met for score in scores} == {False}
    assert {score.points for score in scores} == {0 if indicators[0].max_points is not None else None}


@pytest.mark.parametrize("size", [1, 6])
def test_section_save_queries_do_not_grow_with_its_indicators(
    bronze: QuestionnaireVersion,
    manager: Membership,
    staff: dict[str, User],
    django_assert_max_num_queries: DjangoAssertNumQueries,
    size: int,
) -> None:
    application = in_assessment(manager, staff)
    indicators = list(Indicator.objects.filter(version=application.version))[:size]
    assert len(indicators) == size
    assessing.scores_save(application=application, by=staff["expert_rs"], verdicts=verdicts_for(indicators[:1]))

    # Lock, permission (the assignment), state, the assignment, existing scores, insert, update: the same for 1 or 6.
    with django_assert_max_num_queries(12):
        assessing.scores_save(application=application, by=staff["expert_rs"], verdicts=verdicts_for(indicators))


def test_scoring_page_saves_the_posted_section(
    client: Client, bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = in_assessment(manager, staff)
    section = application.version.sections.order_by("position").first()
    assert section is not None
    indicators = list(section.indicators.all())
    body = {f"met-{indicator.pk}": "yes" for indicator in indicators} | {f"met-{indicators[0].pk}": "maybe"}
    client.force_login(staff["expert_rs"])

    response = client.post(reverse("assessments:case_scoring", args=[application.pk, section.code]), body, follow=True)

    saved = set(Score.objects.filter(application=application).values_list("indicator_id", flat=True))
    assert saved == {indicator.pk for indicator in indicators[1:]}
    assert f"{len(indicators) - 1} score(s) saved." in response.content.decode()


def test_the_history_keeps_each_verdict_before_and_after(
    bronze: QuestionnaireVersion, manager: Membership, staff: dict[str, User]
) -> None:
    application = in_assessment(manager, staff)
    indicators = list(Indicator.objects.filter(version=application.version).order_by("pk"))[:3]
    assessing.scores_save(application=application, by=staff["expert_rs"], verdicts=verdicts_for(indicators))

    assessing.scores_save(application=application, by=staff["expert_rs"], verdicts=verdicts_for(indicators, met=False))

    saves = ActivityLog.objects.filter(object_id=application.pk, action="application.scores").order_by("pk")
    first, second = (entry.data["verdicts"] for entry in saves)
    assert first == {indicator.code: [None, True] for indicator in indicators}
    assert second == {indicator.code: [True, False] for indicator in indicators}
