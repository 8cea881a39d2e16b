"""State of the parts the portal cannot work without."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from kombu import Connection

OK = "ok"
EAGER = "eager"


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure is a state to report, not a crash
        return f"error: {type(exc).__name__}: {exc}".strip()
    return OK


def broker_state() -> str:
    """``eager`` when tasks run in process (no broker configured)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return EAGER
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return f"error: {type(exc).__name__}: {exc}".strip()
    return OK


def health_report() -> tuple[dict[str, str], bool]:
    report = {"database": database_state(), "broker": broker_state()}
    healthy = all(state in (OK, EAGER) for state in report.values())
    return report, healthy
