"""The benchmarking report's PDF is rendered by the worker when its figures move, so a download never waits.

Tasks run in process here (no broker): a task "queued" is a task run, observed
through Celery's ``task_prerun`` signal, not by replacing any of the portal's code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.signals import task_prerun
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from accounts.models import User
from assessments.benchmarking.pdf import refresh_benchmarking_reports, report_fingerprint
from assessments.benchmarking.report import benchmarking_report
from assessments.enums import ApplicationState
from assessments.models import Application, BenchmarkingReport, QuestionnaireVersion
from assessments.services.workflow import APPLICATION_WORKFLOW
from clusters.models import Membership
from common.workflow import transition
from tests.assessments.test_benchmarking import benchmarked
from tests.factories import OrganisationFactory

REFRESH = "assessments.refresh_benchmarking_reports"
RENDER = "assessments.render_benchmarking_report"


@pytest.fixture(autouse=True)
def ahead(settings: Settings, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path
    settings.BENCHMARKING_PDFS_AHEAD = True
    with translation.override("en"):
        yield


@pytest.fixture
def tasks_run() -> Iterator[list[str]]:
    names: list[str] = []

    def record(sender: Any = None, task: Any = None, **kwargs: Any) -> None:
        names.append(task.name)

    task_prerun.connect(record, weak=False)
    yield names
    task_prerun.disconnect(record)


def awaiting(version: QuestionnaireVersion, membership: Membership | None = None) -> Application:
    organisation = membership.organisation if membership else OrganisationFactory()
    values = {"S1.1": 45, "S1.2": "2.5", "S1.3": "40"}
    return benchmarked(organisation, version, values, state=ApplicationState.AWAITING_DECISION)


def award(application: Application, by: User) -> None:
    transition(APPLICATION_WORKFLOW, obj=application, to_state=ApplicationState.AWARDED, by=by)


def run(callbacks: list[Callable[[], object]]) -> None:
    for callback in callbacks:
        callback()


def test_an_award_queues_one_refresh_after_commit_that_renders_the_report(
    bronze: QuestionnaireVersion,
    manager: Membership,
    people: dict[str, User],
    tasks_run: list[str],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    own = awaiting(bronze, manager)

    with django_capture_on_commit_callbacks() as callbacks:
        award(own, people["committee"])
    before_commit = list(tasks_run)
    with django_capture_on_commit_callbacks(execute=True):  # the commit
        run(callbacks)

    stored = BenchmarkingReport.objects.get(application=own)
    own.refresh_from_db()
    assert before_commit == []
    assert (tasks_run.count(REFRESH), tasks_run.count(RENDER)) == (1, 1)
    assert stored.fingerprint == report_fingerprint(benchmarking_report(own))
    assert (stored.language, stored.pdf.read()[:5]) == ("en", b"%PDF-")


def test_changes_in_one_burst_queue_one_refresh(
    bronze: QuestionnaireVersion,
    people: dict[str, User],
    tasks_run: list[str],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    first, second = awaiting(bronze), awaiting(bronze)

    # Two decisions committed together (a committee's batch); a worker's countdown gathers
    # decisions a few seconds apart the same way, which tasks run in process cannot show.
    with django_capture_on_commit_callbacks(execute=True):
        award(first, people["committee"])
        award(second, people["committee"])

    # One refresh, which renders both reports (each one once).
    assert (tasks_run.count(REFRESH), tasks_run.count(RENDER)) == (1, 2)
    assert BenchmarkingReport.objects.exclude(pdf="").count() == 2


def test_without_the_setting_nothing_is_rendered_ahead(
    bronze: QuestionnaireVersion,
    people: dict[str, User],
    settings: Settings,
    tasks_run: list[str],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.BENCHMARKING_PDFS_AHEAD = False

    with django_capture_on_commit_callbacks(execute=True):
        award(awaiting(bronze), people["committee"])

    # (The award still refreshes the stored figures: labels.figures, not a report.)
    assert ([t for t in tasks_run if t != "labels.refresh_figures"], BenchmarkingReport.objects.count()) == ([], 0)


def test_a_refresh_with_unchanged_figures_renders_nothing(bronze: QuestionnaireVersion, manager: Membership) -> None:
    own = benchmarked(manager.organisation, bronze, {"S1.1": 45})
    refresh_benchmarking_reports()
    first = BenchmarkingReport.objects.get(application=own)

    assert refresh_benchmarking_reports() == 1  # a second run, or a redelivery
    again = BenchmarkingReport.objects.get(application=own)
    benchmarked(OrganisationFactory(), bronze, {"S1.1": 60})  # a peer completes its benchmarking
    refresh_benchmarking_reports()
    moved = BenchmarkingReport.objects.get(application=own)

    assert (again.pdf.name, again.fingerprint, again.rendered_at) == (
        first.pdf.name,
        first.fingerprint,
        first.rendered_at,
    )
    assert (moved.pdf.name != first.pdf.name, moved.fingerprint != first.fingerprint) == (True, True)


def test_the_download_after_a_change_serves_the_stored_file_without_rendering(
    client: Client,
    bronze: QuestionnaireVersion,
    manager: Membership,
    people: dict[str, User],
    tasks_run: list[str],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    own = awaiting(bronze, manager)
    with django_capture_on_commit_callbacks(execute=True):
        award(own, people["committee"])
    rendered = BenchmarkingReport.objects.get(application=own)
    tasks_run.clear()
    client.force_login(manager.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("benchmarking:pdf", args=[own.pk]))

    served = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert (response.status_code, response["Content-Type"], tasks_run) == (200, "application/pdf", [])
    assert served == rendered.pdf.open("rb").read()
    assert BenchmarkingReport.objects.get(application=own).rendered_at == rendered.rendered_at
