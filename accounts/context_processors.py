from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.start_pages import start_pages_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The start pages of the person's roles, for the header's navigation: read
    only when a template shows them (an htmx fragment does not)."""
    user = getattr(request, "user", None)
    return {"role_pages": SimpleLazyObject(lambda: start_pages_for(user))}
