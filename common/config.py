"""Strict reading of the environment for the one settings module.

django-environ parses URLs well but forgives bad values silently (``DEBUG=maybe``
reads as False). An operator who mistypes a variable must learn it at start-up,
so every reader here raises ``ImproperlyConfigured`` naming the variable, the
value and what would have been accepted. Every variable read is recorded, so a
test can hold ``.env.example``, the README and ``docker-compose.yml`` to the
same list the settings really use.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}
BROKER_SCHEMES = {"redis", "rediss"}
EMAIL_SCHEMES = {"smtp", "smtps", "smtp+tls", "smtp+ssl", "consolemail", "filemail", "memorymail", "dummymail"}


class EnvReader:
    """Reads typed values from a mapping (``os.environ`` by default).

    The readers are named after what they return, as django-environ's are; in
    the class body the method ``str`` hides the builtin, so the signatures after
    it say ``builtins.str``.
    """

    def __init__(self, environ_: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ_ is None else environ_
        self.names_read: set[str] = set()

    def raw(self, name: str) -> str | None:
        self.names_read.add(name)
        value = self._environ.get(name)
        if value is None or value.strip() == "":
            return None
        return value.strip()

    def is_set(self, name: str) -> bool:
        return self.raw(name) is not None

    def str(self, name: str, default: str | None = None) -> str | None:
        value = self.raw(name)
        return default if value is None else value

    def bool(self, name: builtins.str, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use one of {sorted(_TRUE | _FALSE)}.")

    def int(self, name: builtins.str, default: int, *, minimum: int | None = None) -> int:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
        return number

    def choice(self, name: builtins.str, default: builtins.str, *, choices: list[builtins.str]) -> builtins.str:
        value = self.raw(name)
        if value is None:
            return default
        if value not in choices:
            raise ImproperlyConfigured(f"{name}={value!r} is not one of {choices}.")
        return value

    def list(self, name: builtins.str, default: list[builtins.str] | None = None) -> list[builtins.str]:
        value = self.raw(name)
        if value is None:
            return list(default or [])
        return [item.strip() for item in value.split(",") if item.strip()]

    def url(
        self, name: builtins.str, default: builtins.str | None, *, schemes: set[builtins.str]
    ) -> builtins.str | None:
        value = self.raw(name)
        if value is None:
            return default
        scheme = urlsplit(value).scheme
        if scheme not in schemes:
            raise ImproperlyConfigured(f"{name} has scheme {scheme or '(none)'!r}; expected one of {sorted(schemes)}.")
        return value

    def database(self, name: builtins.str, default: builtins.str) -> dict[builtins.str, Any]:
        url = self.url(name, default, schemes=DATABASE_SCHEMES)
        assert url is not None
        try:
            config: dict[str, Any] = environ.Env.db_url_config(url)
        except Exception as exc:  # environ raises several types for bad URLs
            raise ImproperlyConfigured(f"{name} could not be parsed: {exc}") from exc
        if config["ENGINE"].endswith("sqlite3"):
            return config
        if not config.get("NAME"):
            raise ImproperlyConfigured(f"{name} must name a database, e.g. postgres://user@host:5432/escaportal.")
        return config

    def email(self, name: builtins.str) -> dict[builtins.str, Any] | None:
        url = self.url(name, None, schemes=EMAIL_SCHEMES)
        if url is None:
            return None
        try:
            config: dict[str, Any] = environ.Env.email_url_config(url)
        except Exception as exc:
            raise ImproperlyConfigured(f"{name} could not be parsed: {exc}") from exc
        return config
