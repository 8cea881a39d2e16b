"""A Celery app for the chaos test's own worker: the portal's app, plus a pause
before each task that records the pool process's id, so the test can kill that
process while it holds the task. Used only by tests/labels/test_worker_killed.py."""

import os
import time

from celery.signals import task_prerun

from escaportal.celery import app

__all__ = ["app"]


@task_prerun.connect
def pause_and_record(**kwargs: object) -> None:
    marker = os.environ.get("CHAOS_MARKER")
    if marker:
        with open(marker, "a") as handle:
            handle.write(f"{os.getpid()}\n")
        time.sleep(float(os.environ.get("CHAOS_PAUSE", "3")))
