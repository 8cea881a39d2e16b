"""Public verification of a label from its code, limited against enumeration.

The verification page and the Open Badges credential share one budget per
client address (``common.client.client_address``): ``VERIFY_UNKNOWN_CODES_LIMIT``
unknown codes per ``VERIFY_WINDOW``. Only unknown codes spend it, so a person
scanning real certificates never meets it, while a script guessing codes
exhausts it at once. Once it is spent, every look-up from that address is
refused, known codes too: answering those would tell the script its hits.
People with a staff role are never limited.
"""

from __future__ import annotations

import rules
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from common.client import client_address


def _budget_key(request: HttpRequest) -> str:
    return f"verify-unknown:{client_address(request)}"


def _unlimited(request: HttpRequest) -> bool:
    # The rule alone, not every backend: the model backend would query permissions.
    return rules.has_perm("labels.verify_without_limit", request.user)


def budget_spent(request: HttpRequest) -> bool:
    """True once this client has looked up too many unknown codes in the window."""
    if _unlimited(request):
        return False
    spent: int = cache.get(_budget_key(request), 0)
    return spent >= settings.VERIFY_UNKNOWN_CODES_LIMIT


def budget_spend(request: HttpRequest) -> None:
    """Count one unknown code against this client's budget."""
    if _unlimited(request):
        return
    key = _budget_key(request)
    window = int(settings.VERIFY_WINDOW.total_seconds())
    # The window runs from the first unknown code: incr keeps the expiry add set.
    cache.add(key, 0, window)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
