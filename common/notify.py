"""Tell people something: an in-portal notification and an e-mail, in their language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone, translation

from common.mail import render_line, send_templated_mail
from common.models import Notification


def notify(
    *,
    people: Iterable[Any],
    template: str,
    context: dict[str, Any],
    url: str = "",
    connection: BaseEmailBackend | None = None,
) -> int:
    """For each person: a ``Notification`` row and an e-mail (``<template>_subject.txt``,
    ``.txt``, ``.html``), both in the person's preferred language. Returns how many."""
    sent = 0
    for person in {p.pk: p for p in people if p is not None and p.is_active}.values():
        language = getattr(person, "preferred_language", None) or "en"
        with translation.override(language):
            title = render_line(f"{template}_subject.txt", {**context, "person": person})
        Notification.objects.create(user=person, title=title[:200], url=url)
        send_templated_mail(
            to=[person.email],
            template=template,
            context={**context, "person": person, "url": url},
            language=language,
            connection=connection,
        )
        sent += 1
    return sent


def notifications_mark_read(*, user: Any) -> int:
    """Mark the person's unread notifications read; returns how many. Side effects: none beyond that."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
