"""Tasks run in process in the embedded default, through Redis to a worker in CI."""

from __future__ import annotations

import pytest
from django.conf import settings

from common.tasks import ping
from escaportal.celery import app


def test_ping_runs_in_process_without_broker() -> None:
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("a broker is configured: the round trip test covers this")

    assert ping.delay("hello").get(timeout=1) == "hello"


def test_celery_reads_django_settings() -> None:
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT


@pytest.mark.services
def test_task_round_trip_through_redis_to_a_real_worker(broker_url: str) -> None:
    """CI starts a worker (.ci/run); the task leaves this process and comes back."""
    result = ping.delay("round trip")

    try:
        value = result.get(timeout=30)
    except Exception as exc:  # a timeout here means no worker consumed the queue
        pytest.fail(f"no worker answered through {broker_url}: {exc!r}")

    assert value == "round trip"
    assert result.state == "SUCCESS"
