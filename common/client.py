"""Who the client is, in one place, so every limit counts the same thing."""

from __future__ import annotations

from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent the request."""
    return str(request.META.get("REMOTE_ADDR", ""))
