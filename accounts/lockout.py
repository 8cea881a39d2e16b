"""The login lockout's name for an account: one per account, however it is typed.

Login matches the e-mail address without regard to case, so django-axes must
too; otherwise every spelling (``Ana@X``, ``ana@x``, ...) would get its own
allowance of failures from the same address.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest


def lockout_username(request: HttpRequest, credentials: Mapping[str, Any] | None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the typed e-mail address as the lockout counts it."""
    typed = (credentials or {}).get("username") or request.POST.get("username")
    return str(typed).strip().lower() if typed else None
