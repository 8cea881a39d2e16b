"""The request a signed-in view receives, as the type checker should see it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    # django-stubs' placeholder for AUTH_USER_MODEL: its mypy plugin reads it as
    # the portal's user model, as it does for HttpRequest.user, so common still
    # names no app.
    from django.contrib.auth.models import _User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind ``login_required`` or ``permission_required``,
    whose user is never anonymous.

    An annotation only: Django still passes an ``HttpRequest`` and nothing checks
    the claim at run time, so it belongs on guarded views alone.
    """

    user: _User
