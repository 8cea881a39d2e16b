"""Response headers every page carries."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

# Scripts and styles come from the portal's own static files only: no inline
# <script>, no event-handler attributes, no style="" attributes (the templates
# use classes and static/js/portal.js instead). Bootstrap's icons are data: URIs.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Add the Content-Security-Policy header to every response that has none."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class RejectNullCharactersMiddleware:
    """Refuse a request whose path, query or form fields carry a NUL character, with a 400.

    No page needs one, and PostgreSQL refuses them in a query ("A string
    literal cannot contain NUL"), which would otherwise surface as a 500 from
    whatever view passed the value on.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or _carries_nul(request):
            message = _("The address contains a character that is not allowed (NUL).")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": str(message)}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _carries_nul(request: HttpRequest) -> bool:
    """A NUL in any query or form field, every value of a repeated one included (files are not read)."""
    fields = [*request.GET.lists()]
    if request.method == "POST":
        fields += request.POST.lists()
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in fields)
