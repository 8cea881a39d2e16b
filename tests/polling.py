"""Waiting for another process (a Celery worker) to do its part, with a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest


def wait_for(condition: Callable[[], object], seconds: float, what: str) -> None:
    """Poll ``condition`` every 0.2 s; fail the test, naming ``what``, after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")
