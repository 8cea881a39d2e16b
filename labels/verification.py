"""Public verification of a label from its code, rate-limited against enumeration."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

VERIFY_LIMIT = 30  # look-ups per address
VERIFY_WINDOW_SECONDS = 600


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def over_limit(request: HttpRequest) -> bool:
    """Count a look-up; True once this address has made too many in the window.

    Codes are unguessable, so a person checking a certificate never comes close;
    a script walking the code space hits the limit at once.
    """
    key = f"verify:{client_address(request)}"
    cache.add(key, 0, VERIFY_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, VERIFY_WINDOW_SECONDS)
        count = 1
    return count > VERIFY_LIMIT
