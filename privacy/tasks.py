"""The worker's part of the privacy app: thin tasks that call the services."""

from __future__ import annotations

from celery import shared_task

from privacy import retention
from privacy.exports import build_export

__all__ = ["build_export", "retention_task"]


@shared_task(name="privacy.retention", acks_late=True)
def retention_task() -> dict[str, int]:
    """Daily (CELERY_BEAT_SCHEDULE): delete what is past its retention period. Idempotent."""
    return retention.retention_run()
