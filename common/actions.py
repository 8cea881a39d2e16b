"""Running a service from a view: a refusal becomes a message, not an error page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from common.errors import ActionRefused


def refusable(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    """Run ``action``; show its refusal, or ``success``, as a message. True when it ran."""
    try:
        action()
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
        return False
    messages.success(request, success)
    return True
