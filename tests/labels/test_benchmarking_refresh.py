"""A label's change moves the benchmarking reports' level groups: it queues their refresh, once per burst."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.signals import task_prerun
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from accounts.models import User
from labels.services import label_reinstate, label_revoke
from tests.factories import LabelFactory

REFRESH = "assessments.refresh_benchmarking_reports"


@pytest.fixture
def tasks_run(settings: Settings, tmp_path: Path) -> Iterator[list[str]]:
    settings.MEDIA_ROOT = tmp_path
    settings.BENCHMARKING_PDFS_AHEAD = True
    names: list[str] = []

    def record(sender: Any = None, task: Any = None, **kwargs: Any) -> None:
        names.append(task.name)

    task_prerun.connect(record, weak=False)
    yield names
    task_prerun.disconnect(record)


def test_a_revocation_and_reinstatement_in_one_burst_queue_one_refresh(
    people: dict[str, User],
    tasks_run: list[str],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    label = LabelFactory()

    with django_capture_on_commit_callbacks(execute=True):
        label_revoke(label=label, by=people["office"], reason="Wrongly entered.")
        label_reinstate(label=label, by=people["office"], reason="It was right after all.")

    assert tasks_run.count(REFRESH) == 1
