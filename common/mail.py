"""Templated e-mail, HTML and plain text, in the recipient's language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation


def render_line(template: str, context: dict[str, Any]) -> str:
    """A subject or a title: plain text on one line, never HTML-escaped.

    A subject is not HTML, so escaping would show ``&quot;`` to the reader; and
    folding every whitespace keeps a newline in a value from starting a header.
    """
    compiled = get_template(template).template  # type: ignore[attr-defined]
    return " ".join(compiled.render(Context(context, autoescape=False)).split())


def send_templated_mail(
    *,
    to: Iterable[str],
    template: str,
    context: dict[str, Any],
    language: str | None = None,
    connection: BaseEmailBackend | None = None,
) -> int:
    """Render ``<template>_subject.txt``, ``.txt`` and ``.html`` and send one message per recipient.

    Each recipient gets their own message, so no address is shown to the others.
    A batch (the reminder sweep) passes one open ``connection`` for all its mail.
    """
    recipients = sorted({address for address in to if address})
    context = {"site_url": settings.SITE_URL, **context}
    sent = 0
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_line(f"{template}_subject.txt", context)
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    for address in recipients:
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [address], connection=connection)
        message.attach_alternative(html, "text/html")
        sent += message.send()
    return sent
