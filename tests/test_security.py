"""Response headers and production security settings.

Already covered elsewhere, not repeated here: ``manage.py check --deploy
--fail-level WARNING`` with the production environment
(``tests/test_production_shape.py``), the login lock after five failures
(``tests/accounts/test_login.py``) and every limit behind the proxy and
without it (``tests/test_security_proxy.py``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
import yaml
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from common.middleware import CONTENT_SECURITY_POLICY
from tests.factories import LabelFactory
from tests.test_production_shape import env_example

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
# Rendered by WeasyPrint or sent as e-mail: never shown by a browser under the portal's CSP.
NOT_BROWSER_PAGES = re.compile(r"(^|/)email/|_pdf\.html$")
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def browser_templates() -> list[Path]:
    return sorted(
        path
        for path in TEMPLATES.rglob("*.html")
        if not NOT_BROWSER_PAGES.search(path.relative_to(TEMPLATES).as_posix())
    )


def test_policy_allows_only_the_portals_own_scripts_and_styles() -> None:
    policy = directives(CONTENT_SECURITY_POLICY)

    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "'unsafe-eval'" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/login/",
        "/registry/",
        "/verify/NO-SUCH-CODE/",
        "/no-such-page/",
        "/api/v1/labels/",
        "/api/v1/docs/",
        "/healthz/",
        "/static/js/portal.js",
    ],
)
def test_every_response_carries_the_policy(client: Client, db: None, url: str) -> None:
    response = client.get(url)

    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_error_page_carries_the_policy(db: None) -> None:
    client = Client(raise_request_exception=False)

    with mock.patch("labels.views.render", side_effect=RuntimeError("boom")):
        response = client.get("/registry/")

    assert response.status_code == 500
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("url", ["/accounts/login/", "/registry/", "/api/v1/docs/"])
def test_pages_have_no_inline_script(client: Client, db: None, url: str) -> None:
    LabelFactory()
    html = client.get(url).content.decode()

    assert INLINE_SCRIPT.findall(html) == []
    assert EVENT_HANDLER.findall(html) == []


@pytest.mark.parametrize("pattern", [INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE], ids=["script", "on", "style"])
def test_templates_inline_nothing_the_policy_blocks(pattern: re.Pattern[str]) -> None:
    """Inline <script>, onclick= and style= would be blocked in the browser: use static/js and classes."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in browser_templates()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]

    assert offenders == []


def test_htmx_does_not_inject_styles_or_evaluate_code(client: Client, db: None) -> None:
    html = client.get("/accounts/login/").content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', html)

    assert config is not None
    assert json.loads(config.group(1)) == {"includeIndicatorStyles": False, "allowEval": False}


def test_api_docs_script_is_served_as_a_file(client: Client, db: None) -> None:
    response = client.get(reverse("api_docs") + "?script=")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")


PRODUCTION_PROBE = """
import django, json
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
# The manifest of hashed static files needs collectstatic, which the image runs; not probed here.
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
response = Client().get("/healthz/", secure=True)
login = Client().get("/accounts/login/", secure=True)
print(json.dumps({
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "hsts": response.get("Strict-Transport-Security"),
    "csp": response.get("Content-Security-Policy"),
    "login_status": login.status_code,
    "csrf_cookie_secure": bool(login.cookies["csrftoken"]["secure"]) if "csrftoken" in login.cookies else None,
    "http_redirects": Client().get("/accounts/login/").status_code,
}))
"""


def test_production_settings_send_secure_cookies_and_hsts() -> None:
    """With DEBUG off (the production environment of .env.example and compose)."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    env = {
        k: v for k, v in os.environ.items() if k not in settings.ENV_VARIABLES_READ and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(env_example())
    env.update(compose["services"]["web"]["environment"])
    # The probe reads no database; keep it off the compose host name that does not resolve here.
    env.update(
        {
            "DATABASE_URL": "sqlite:///:memory:",
            "ALLOWED_HOSTS": "testserver",
            "DJANGO_SETTINGS_MODULE": "escaportal.settings",
        }
    )
    env.pop("CELERY_BROKER_URL", None)
    env.pop("CACHE_URL", None)

    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["session_secure"] is True
    assert seen["csrf_secure"] is True
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["csp"] == CONTENT_SECURITY_POLICY
    assert seen["csrf_cookie_secure"] is True
    assert seen["http_redirects"] == 301


@pytest.mark.parametrize(
    "url", ["/api/v1/labels/?q=a%00b", "/verify/RS%00B/", "/registry/?q=%00", "/api/v1/labels/RS%00/"]
)
def test_a_nul_character_in_the_address_is_refused_with_a_400(client: Client, db: None, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert "not allowed (NUL)" in response.content.decode()


def test_a_nul_character_in_a_repeated_parameter_or_a_form_field_is_refused(
    client: Client, people: dict[str, User]
) -> None:
    client.force_login(people["office"])
    assert client.get("/registry/?q=%00&q=cluster").status_code == 400
    assert client.post("/accounts/profile/", {"full_name": "Olivia\x00Office"}).status_code == 400
