"""WeasyPrint reads the portal's static files and data: URLs, and nothing else:
neither the server's files nor addresses on its network."""

from __future__ import annotations

import http.server
import re
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from pytest_django import Settings

from common.pdf import render_pdf
from common.pdf_fetcher import PortalURLFetcher, static_base_url

TEMPLATE = "pdf_test/hostile.html"
PNG_DATA_URL = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


class CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        CountingHandler.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"p { color: red }")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[int]:
    """A local web server that counts the requests it gets."""
    CountingHandler.hits = []
    httpd = http.server.HTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def hostile_template(settings: Settings, tmp_path: Path, server: int) -> str:
    """Markup that asks for a server file and a network address every way WeasyPrint fetches."""
    local = f"http://127.0.0.1:{server}"
    path = tmp_path / "templates" / TEMPLATE
    path.parent.mkdir(parents=True)
    path.write_text(
        f"""<html><head>
        <link rel="stylesheet" href="{local}/style.css">
        <link rel="attachment" href="file:///etc/passwd">
        <style>@import url("{local}/import.css"); body {{ background: url("file:///etc/passwd") }}</style>
        </head><body>
        <img src="file:///etc/passwd"><img src="{local}/image.png"><img src="../../../../etc/passwd">
        <p>Hello</p></body></html>"""
    )
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path / "templates", *engine["DIRS"]]}]
    return TEMPLATE


def pdf_streams(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated, to search what it carries."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"".join(parts)


def test_pdf_fetches_neither_server_files_nor_network_addresses(hostile_template: str) -> None:
    pdf = render_pdf(hostile_template, {})

    assert CountingHandler.hits == []
    assert b"root:" not in pdf_streams(pdf)


def test_the_hostile_markup_would_fetch_both_with_weasyprints_default(hostile_template: str) -> None:
    """The test above proves something: WeasyPrint's own fetcher does reach both."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    pdf = HTML(string=render_to_string(hostile_template, {}), base_url="/").write_pdf()

    assert (CountingHandler.hits != [], b"root:" in pdf_streams(pdf)) == (True, True)


def test_static_files_and_data_urls_are_served() -> None:
    fetcher = PortalURLFetcher()

    static = fetcher.fetch(f"{static_base_url()}css/portal.css")
    data = fetcher.fetch(PNG_DATA_URL)

    assert static.read() == (settings.BASE_DIR / "static" / "css" / "portal.css").read_bytes()
    assert data.read()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "http://127.0.0.1:9/", "{static}../settings.py", "{static}%2e%2e/escaportal/settings.py"],
)
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="only use the portal's static files"):
        PortalURLFetcher().fetch(url.format(static=static_base_url()))
