"""Reads kept for the length of one request, such as the person's memberships.

A page asks several permission questions about the same person (the header's
role pages, each button's rule, the scope of a list); each used to read the
same rows again. Inside a request (``RequestCacheMiddleware``) such a read is
kept under a key and forgotten as soon as a row of a model it depends on is
saved or deleted, so a rule never answers from rows the request itself has
changed. Outside a request (a task, a management command, a test calling a
service directly) nothing is kept: every call reads afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse

T = TypeVar("T")

# key -> (model labels whose writes make it stale, value)
_store: ContextVar[dict[Hashable, tuple[frozenset[str], Any]] | None] = ContextVar("request_cache", default=None)


def cached(key: Hashable, compute: Callable[[], T], *, depends_on: Iterable[str]) -> T:
    """``compute()``, kept for the rest of the request until a model named in
    ``depends_on`` (``"app_label.Model"``) is written."""
    store = _store.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = (frozenset(depends_on), compute())
    value: T = store[key][1]
    return value


def active() -> bool:
    """Whether reads are being kept: inside a request."""
    return _store.get() is not None


def keep(key: Hashable, value: object, *, depends_on: Iterable[str]) -> None:
    """Keep ``value`` under ``key`` as ``cached`` would have, unless something is kept
    there already: a value read together with another (``common.person_reads``)."""
    store = _store.get()
    if store is not None and key not in store:
        store[key] = (frozenset(depends_on), value)


def forget(model_label: str | None = None) -> None:
    """Drop what depends on ``model_label`` (everything, without one): for writes
    that send no signal (``QuerySet.update``)."""
    store = _store.get()
    if not store:
        return
    for key in [k for k, (depends, _v) in store.items() if model_label is None or model_label in depends]:
        del store[key]


def _on_write(sender: type[models.Model], **kwargs: Any) -> None:
    store = _store.get()
    if store:
        forget(sender._meta.label)


def _on_many_to_many(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """Rows added to or removed from a many-to-many relation (``Meeting.members_present``)."""
    store = _store.get()
    if store and kwargs.get("action", "").startswith("post_"):
        forget(sender._meta.label)
        forget(type(instance)._meta.label)


post_save.connect(_on_write, dispatch_uid="common.request_cache.save")
m2m_changed.connect(_on_many_to_many, dispatch_uid="common.request_cache.m2m")
post_delete.connect(_on_write, dispatch_uid="common.request_cache.delete")


class RequestCacheMiddleware:
    """Opens an empty cache for each request and drops it afterwards."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _store.set({})
        try:
            return self.get_response(request)
        finally:
            _store.reset(token)
