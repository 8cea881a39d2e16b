"""Who the client is: the one rule every limit, lockout and log line uses.

Behind ``PROXY_COUNT`` reverse proxies, each appends the address it saw to
``X-Forwarded-For`` (nginx's ``$proxy_add_x_forwarded_for``), so the last
``PROXY_COUNT`` entries were written by proxies we run and everything left of
them was written by the client. The client's address is therefore the
``PROXY_COUNT``-th entry from the right; anything further left is ignored,
which is what makes a forged header harmless. With ``PROXY_COUNT = 0`` the
portal faces clients directly and only ``REMOTE_ADDR`` counts.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# What a request without a usable address counts as (a test client, a broken proxy).
UNKNOWN = "0.0.0.0"


def client_address(request: HttpRequest) -> str:
    """The client's IP address under the configured proxies (``settings.PROXY_COUNT``)."""
    remote = _valid_or_none(request.META.get("REMOTE_ADDR", "")) or UNKNOWN
    proxies: int = settings.PROXY_COUNT
    if proxies == 0:
        return remote
    forwarded = _forwarded_chain(request)
    if not forwarded:
        return remote
    # Fewer entries than proxies: a proxy nearer the client was bypassed, and
    # the leftmost entry is still one that a proxy we run wrote.
    appended_by_our_proxy = forwarded[-min(proxies, len(forwarded))]
    return _valid_or_none(appended_by_our_proxy) or remote


def _forwarded_chain(request: HttpRequest) -> list[str]:
    header = str(request.META.get("HTTP_X_FORWARDED_FOR", "")).strip()
    # Empty entries keep their place: counting from the right must not shift.
    return [entry.strip() for entry in header.split(",")] if header else []


def _valid_or_none(candidate: object) -> str | None:
    """The address in canonical form, or None: it keys caches and fills database columns."""
    try:
        return str(ipaddress.ip_address(str(candidate)))
    except ValueError:
        return None
