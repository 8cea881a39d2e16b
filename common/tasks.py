"""Tasks with no domain: used to prove the broker and the worker work."""

from celery import shared_task


@shared_task(name="common.ping")
def ping(payload: str = "pong") -> str:
    """Return the payload: the round trip web -> broker -> worker -> result."""
    return payload
