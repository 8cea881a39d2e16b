from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from common.selectors import unread_count_of


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """Counted only when a template shows it (an htmx fragment does not)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count_of(user))}
