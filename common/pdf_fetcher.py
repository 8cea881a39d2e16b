"""What WeasyPrint may read while it draws a PDF: the portal's own static files
and ``data:`` URLs, nothing else.

Its default fetcher opens ``file://`` and ``http://`` URLs, so markup that
reached a template (a name, a note) could read the server's files into a PDF or
make the worker call internal services. No user markup reaches a PDF today;
this keeps it harmless if some ever does. Imported only when a PDF is drawn
(WeasyPrint is costly to load), from ``common.pdf``.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse


def static_base_url() -> str:
    """The address relative URLs in a PDF's markup resolve against: the static files, not the source tree."""
    return f"{settings.SITE_URL}{settings.STATIC_URL}"


class PortalURLFetcher(URLFetcher):
    """Serves static files found by Django's finders and decodes ``data:``; refuses the rest."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False, **kwargs)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = self._static_path(url)
        if path is None:
            raise ValueError(f"a PDF may only use the portal's static files and data: URLs, not {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    @staticmethod
    def _static_path(url: str) -> Path | None:
        base = static_base_url()
        if not url.startswith(base):
            return None
        relative = unquote(urlsplit(url[len(base) :]).path)
        if relative.startswith("/") or ".." in relative.split("/"):
            return None
        found = finders.find(relative)
        return Path(found) if isinstance(found, str) else None
