"""Conditional GET for public pages: an ETag from a cheap data version, 304 when it matches.

The ETag hashes what the page depends on: the data's version (given by the app),
the address with its query string, the language, the reader (anonymous or which
user: the navigation differs) and the day (a label's state moves with the date).
A matching ``If-None-Match`` gets 304 with no body, before the view runs.

``Cache-Control: public`` only when nothing in the response belongs to one
reader: an anonymous reader, and no cookie set by this response (the CSRF
cookie is renewed whenever a page renders a token, so today most full pages
stay ``private``; a 304 sets none). ``Vary: Cookie, Accept-Language`` always.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone, translation
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import quote_etag

View = TypeVar("View", bound=Callable[..., HttpResponseBase])
VERSION_KEY = "escaportal.data_version"


def data_version_of(request: HttpRequest) -> str | None:
    """The data version ``public_page`` read for this request (None outside one), so that the
    view can key what it keeps on it without asking the database again."""
    return request.META.get(VERSION_KEY)


def page_etag(request: HttpRequest, version: str) -> str:
    user = getattr(request, "user", None)
    reader = str(user.pk) if user is not None and user.is_authenticated else "-"
    parts = [version, request.get_full_path(), translation.get_language() or "", reader, str(timezone.localdate())]
    return quote_etag(hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32])


def conditional_response(
    request: HttpRequest, version: str, draw: Callable[[], HttpResponseBase], max_age: int = 60
) -> HttpResponseBase:
    """304 when the reader holds this version of the page, else the page ``draw`` makes, with
    its ETag and cache headers. For a view that learns its version from the row it reads
    (verification), so that one query answers both; ``public_page`` for the others."""
    etag = page_etag(request, version)
    not_modified = None if _messages_waiting(request) else get_conditional_response(request, etag=etag)
    if not_modified is not None:
        not_modified["ETag"] = etag
        _cache_headers(request, not_modified, max_age)
        return not_modified
    response = draw()
    if response.status_code == 200:
        response["ETag"] = etag
        _cache_headers(request, response, max_age)
    else:
        add_never_cache_headers(response)  # "not found", "too many requests": asked again each time
    return response


def _cache_headers(request: HttpRequest, response: HttpResponseBase, max_age: int) -> None:
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    user = getattr(request, "user", None)
    anonymous = user is None or not user.is_authenticated
    session = getattr(request, "session", None)
    sets_cookie = (
        bool(response.cookies)
        or bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
        or bool(session is not None and session.modified)
    )
    if anonymous and not sets_cookie:
        patch_cache_control(response, public=True, max_age=max_age)
    else:
        patch_cache_control(response, private=True, max_age=max_age)
    if max_age == 0:
        patch_cache_control(response, no_cache=True)


def _messages_waiting(request: HttpRequest) -> bool:
    """A message waits to be shown (``messages``' cookie, or the session it falls back to):
    the page must be rendered to show it, whatever the reader already has."""
    if "messages" in request.COOKIES:
        return True
    session = getattr(request, "session", None)
    return bool(session is not None and session.session_key and "_messages" in session)


def public_page(version: Callable[[], str], max_age: int = 60) -> Callable[[View], View]:
    """Send an ETag and cache headers on a public page's successful GET, and answer 304
    when the reader already has this version (``max_age`` 0: always revalidate)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            request.META[VERSION_KEY] = current = version()
            return conditional_response(request, current, lambda: view(request, *args, **kwargs), max_age)

        return wrapped  # type: ignore[return-value]

    return decorator
