"""PDF rendering with WeasyPrint: the one way the portal draws a PDF."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(template: str, context: dict[str, Any], *, language: str | None = None) -> bytes:
    """Render a Django template to PDF bytes. Static files resolve from the source tree."""
    from weasyprint import HTML  # imported here: loading pango costs ~0.3 s, needed by workers only

    with translation.override(language or settings.LANGUAGE_CODE):
        html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()  # type: ignore[no-any-return]
