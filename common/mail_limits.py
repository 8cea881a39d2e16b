"""How many mails of one kind an address, or a client, may ask for.

Sign-up, password reset and invitation mails are sent on a visitor's request
from the label office's address: without a budget, anyone could fill a
stranger's mailbox. Each kind has its own budget per recipient address and per
client address, counted in the shared cache over a fixed window. The count is
the same whether an account exists or not, so a refusal tells nothing about it.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _


def _counter_key(kind: str, scope: str, value: str) -> str:
    # Hashed so an address never sits in the cache in clear, and any text fits a key.
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()
    return f"mail-limit:{kind}:{scope}:{digest}"


def _spend(key: str, limit: int) -> bool:
    window = settings.MAIL_LIMIT_WINDOW_MINUTES * 60
    cache.add(key, 0, timeout=window)  # the window starts with the first mail
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


def mail_allowed(*, kind: str, recipient: str, client: str) -> bool:
    """Spend one mail of ``kind`` from the recipient's and the client's budgets;
    False when either is used up (then no mail may be sent)."""
    recipient_ok = _spend(_counter_key(kind, "to", recipient), settings.MAIL_LIMIT_PER_ADDRESS)
    client_ok = _spend(_counter_key(kind, "from", client), settings.MAIL_LIMIT_PER_CLIENT)
    return recipient_ok and client_ok


def mail_limit_message() -> str:
    """What the visitor reads when a budget is used up; the same whatever the
    address, so it tells nothing about who has an account."""
    return _(
        "Too many e-mails of this kind were asked for this address or from your network. "
        "No e-mail was sent; please try again in %(minutes)d minutes."
    ) % {"minutes": settings.MAIL_LIMIT_WINDOW_MINUTES}
