"""The pages people use most run a fixed number of queries, whatever the size of the case.

Each test runs at a small and a larger size (indicators answered or scored, files
uploaded); ``django_assert_num_queries`` holds both to the same budget, so a query
per indicator (an N+1) fails. Counts include the session, the user and the
request's savepoint pair (ATOMIC_REQUESTS).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from accounts.models import User
from assessments import selectors
from assessments.enums import AnswerType, ApplicationState
from assessments.models import Answer, Application, Evidence, Indicator, QuestionnaireVersion, Score, Section
from assessments.scoring import Verdict
from assessments.services import applications, assessing
from assessments.structure import structure_of
from clusters.models import Membership
from common.enums import Level
from common.models import ActivityLog
from tests.assessments.test_applications import answer_all, upload
from tests.assessments.test_workflow import submitted
from tests.files import PDF

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
SIZES = [5, 40]


def _grow(version: QuestionnaireVersion, size: int) -> list[Indicator]:
    """``size`` more questions in the first section (optional, so a submission still passes)."""
    section = Section.objects.get(version=version, code="S1")
    return [
        Indicator.objects.create(
            version=version,
            section=section,
            code=f"S1.x{n}",
            title=f"Extra {n}",
            answer_type=AnswerType.YES_NO,
            required=False,
            position=100 + n,
        )
        for n in range(size)
    ]


def _questionnaire_kept(application: Application) -> None:
    """Read the case's questionnaire as a web worker keeps it after its first page
    (``assessments.structure``): the budgets below are those of every later page.
    ``test_a_questionnaire_is_read_in_three_queries_whatever_its_size`` counts the first."""
    structure_of(QuestionnaireVersion.objects.get(pk=application.version_id))


def _draft(manager: Membership, version: QuestionnaireVersion, size: int) -> Application:
    """A draft with ``size`` extra questions answered and one file per five of them."""
    extra = _grow(version, size)
    application = applications.application_start(
        organisation=manager.organisation, level=Level(version.questionnaire.level), by=manager.user
    )
    answer_all(application, manager.user)
    upload(application, manager.user)
    for n, indicator in enumerate(extra):
        applications.answer_save(application=application, indicator=indicator, raw=["yes"], revision=0, by=manager.user)
        if n % 5 == 0:
            applications.evidence_add(
                application=application,
                indicator=indicator,
                upload=SimpleUploadedFile(f"p{n}.pdf", PDF),
                by=manager.user,
            )
    return application


@pytest.mark.parametrize("size", SIZES)
def test_application_page_queries_do_not_grow(
    client: Client,
    bronze: QuestionnaireVersion,
    manager: Membership,
    django_assert_num_queries: DjangoAssertNumQueries,
    size: int,
) -> None:
    application = _draft(manager, bronze, size)
    client.force_login(manager.user)
    _questionnaire_kept(application)

    # Was 33: each rule read the memberships and the assignments again, the header's
    # role pages read each role, the section list was read twice. Then 15: the overview
    # read every answer, file and person to show counts (selectors.sections_progress).
    # Then 13: the sections and the required questions were read on every page.
    with django_assert_num_queries(12):
        response = client.get(reverse("assessments:application_detail", args=[application.pk]))

    assert response.context["total"] == 9
    assert response.context["done"] == 9


@pytest.mark.parametrize("size", SIZES)
def test_the_overviews_counts_are_the_section_pages_counts(
    bronze: QuestionnaireVersion, manager: Membership, size: int
) -> None:
    """Two reads of one rule (what completes a required item): the overview's counts
    and the rows the section pages and the submission check use must agree."""
    application = _draft(manager, bronze, size)
    Answer.objects.filter(application=application, indicator__required=True).order_by("pk")[:1].get().delete()
    Evidence.objects.filter(application=application, indicator__code="S2.4").delete()  # a file question left empty
    # An answered question whose evidence is missing: answered, yet not complete.
    Indicator.objects.filter(version=bronze, code="S1.x1").update(evidence_required=True)

    counted = [(p.section.code, p.required_done, p.required_total) for p in selectors.sections_progress(application)]
    rows = [(s.section.code, s.required_done, s.required_total) for s in selectors.application_sections(application)]

    assert counted == rows
    assert selectors.progress(selectors.sections_progress(application)) == selectors.progress_of(application)


@pytest.mark.parametrize("size", SIZES)
def test_section_page_queries_do_not_grow_with_answers(
    client: Client,
    bronze: QuestionnaireVersion,
    manager: Membership,
    django_assert_num_queries: DjangoAssertNumQueries,
    size: int,
) -> None:
    application = _draft(manager, bronze, size)
    client.force_login(manager.user)
    _questionnaire_kept(application)

    # Was 10: the sections and their questions were read on every page.
    with django_assert_num_queries(8):
        response = client.get(reverse("assessments:application_section", args=[application.pk, "S1"]))

    assert len(response.context["current"].rows) == 5 + size


@pytest.mark.parametrize("size", SIZES)
def test_autosave_queries_do_not_grow(
    client: Client,
    bronze: QuestionnaireVersion,
    manager: Membership,
    django_assert_num_queries: DjangoAssertNumQueries,
    size: int,
) -> None:
    application = _draft(manager, bronze, size)
    indicator = Indicator.objects.get(version=bronze, code="S2.5")
    client.force_login(manager.user)
    _questionnaire_kept(application)

    # Was 23: the status fragment no longer reads the header's role pages and
    # notifications it does not show, and the progress bar is one query.
    # Then 15: the question itself was read from the database.
    with django_assert_num_queries(14):
        response = client.post(
            reverse("assessments:answer_save", args=[application.pk, indicator.pk]),
            {"value": "More", "revision": "0"},
            **HTMX,
        )

    assert response.context["status"] == "saved"
    assert (response.context["done"], response.context["total"]) == (9, 9)


def _in_assessment(
    manager: Membership, staff: dict[str, User], version: QuestionnaireVersion, size: int
) -> Application:
    """A Bronze case in assessment by one expert, its first section ``size`` questions longer."""
    _grow(version, size)
    application = submitted(manager)
    assessing.assignment_create(application=application, assessors=[staff["expert_rs"]], by=staff["office"])
    assessing.assignment_declare(assignment=application.assignments.get(), by=staff["expert_rs"], no_conflict=True)
    return application


@pytest.mark.parametrize("size", SIZES)
def test_scoring_save_queries_do_not_grow_with_the_section(
    client: Client,
    bronze: QuestionnaireVersion,
    manager: Membership,
    staff: dict[str, User],
    django_assert_num_queries: DjangoAssertNumQueries,
    size: int,
) -> None:
    application = _in_assessment(manager, staff, bronze, size)
    indicators = list(Indicator.objects.filter(version=bronze, section__code="S1"))
    client.force_login(staff["expert_rs"])
    url = reverse("assessments:case_scoring", args=[application.pk, "S1"])
    client.post(url, {f"met-{indicator.pk}": "yes" for indicator in indicators[:3]})

    # One lock, one read of the existing scores, one insert, one update, one history row,
    # whether 5 or 45 verdicts are saved; the rules read again under the lock. Was 18:
    # the section's questions and the sections were read from the database.
    with django_assert_num_queries(16):
        response = client.post(url, {f"met-{indicator.pk}": "no" for indicator in indicators})

    assert response.status_code == 302
    assert Score.objects.filter(application=application, met=False).count() == len(indicators)
    history = application_history(application)[-1]
    assert sorted(history["verdicts"]) == sorted(indicator.code for indicator in indicators)


@pytest.mark.parametrize("size", SIZES)
def test_scoring_page_queries_do_not_grow_with_the_section(
    client: Client,
    bronze: QuestionnaireVersion,
    manager: Membership,
    staff: dict[str, User],
    django_assert_num_queries: DjangoAssertNumQueries,
    size: int,
) -> None:
    application = _in_assessment(manager, staff, bronze, size)
    indicators = list(Indicator.objects.filter(version=bronze, section__code="S1"))
    client.force_login(staff["expert_rs"])
    url = reverse("assessments:case_scoring", args=[application.pk, "S1"])
    client.post(url, {f"met-{indicator.pk}": "yes" for indicator in indicators})

    # Was 23: the expert's assignment and the sections were each read twice. Then 17:
    # the sections (twice) and the questions (twice) were read from the database.
    with django_assert_num_queries(13):
        response = client.get(url)

    assert len(response.context["rows"]) == len(indicators)


def application_history(application: Application) -> list[dict[str, Any]]:
    return [
        dict(entry.data)
        for entry in ActivityLog.objects.filter(object_id=application.pk, action="application.scores").order_by("pk")
    ]


@pytest.mark.parametrize("size", SIZES)
def test_completing_an_assessment_queries_do_not_grow_with_the_indicators(
    client: Client,
    bronze: QuestionnaireVersion,
    manager: Membership,
    staff: dict[str, User],
    django_assert_num_queries: DjangoAssertNumQueries,
    size: int,
) -> None:
    application = _in_assessment(manager, staff, bronze, size)
    indicators = list(Indicator.objects.filter(version=bronze))
    assessing.scores_save(
        application=application,
        by=staff["expert_rs"],
        verdicts=[Verdict(indicator=indicator, met=True) for indicator in indicators],
    )
    client.force_login(staff["expert_rs"])
    _questionnaire_kept(application)

    # 28 with 10 savepoints: the result is computed from the questionnaire the process keeps
    # and one read of the scores, whatever their number; the report PDF is rendered after
    # commit. Was 30: the sections and the indicators were read from the database.
    with django_assert_num_queries(28):
        response = client.post(
            reverse("assessments:case_complete", args=[application.pk]),
            {"assessed_on": date.today().isoformat(), "summary": "Seen on site."},
        )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.ASSESSED
