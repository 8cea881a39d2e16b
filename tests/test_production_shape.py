"""docker-compose.yml, the Dockerfile, .env.example, the README and the Makefile
agree with the settings. There is no Docker engine here, so this is the check."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def env_example() -> dict[str, str]:
    pairs = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def make_recipe(target: str) -> str:
    makefile = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{target}:.*\n\t(.+)$", makefile, re.MULTILINE)
    assert match, f"Makefile has no {target} target"
    return match.group(1).replace("$(BIN)/", "")


def test_compose_has_the_production_services(compose: dict[str, Any]) -> None:
    assert sorted(compose["services"]) == ["beat", "db", "redis", "web", "worker"]
    assert compose["services"]["db"]["image"] == "postgres:16"
    assert compose["services"]["redis"]["image"] == "redis:7"


def test_web_runs_gunicorn_on_the_wsgi_module(compose: dict[str, Any]) -> None:
    command = compose["services"]["web"]["command"]

    assert f"gunicorn {settings.WSGI_APPLICATION.rsplit('.', 1)[0]}:application" in command
    assert "migrate --noinput" in command
    assert '"gunicorn", "escaportal.wsgi:application"' in (ROOT / "Dockerfile").read_text()


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_celery_services_run_what_the_makefile_runs(compose: dict[str, Any], service: str) -> None:
    assert compose["services"][service]["command"] == make_recipe(service)


def test_portal_services_share_one_configuration(compose: dict[str, Any]) -> None:
    portal = [compose["services"][name] for name in ("web", "worker", "beat")]

    assert all(service["environment"] == portal[0]["environment"] for service in portal)
    assert all(service["env_file"] == ".env" for service in portal)


def test_compose_variables_are_ones_the_settings_read(compose: dict[str, Any]) -> None:
    variables = set(compose["services"]["web"]["environment"])

    assert variables - settings.ENV_VARIABLES_READ == set()


def test_compose_urls_point_at_compose_services(compose: dict[str, Any]) -> None:
    environment = compose["services"]["web"]["environment"]
    db = compose["services"]["db"]["environment"]
    database = urlsplit(environment["DATABASE_URL"])
    broker = urlsplit(environment["CELERY_BROKER_URL"])

    assert (database.hostname, database.username, database.password, database.path) == (
        "db",
        db["POSTGRES_USER"],
        db["POSTGRES_PASSWORD"],
        f"/{db['POSTGRES_DB']}",
    )
    assert (broker.hostname, broker.port) == ("redis", 6379)
    assert environment["MEDIA_ROOT"] == "/data/media"
    assert "media:/data/media" in compose["services"]["web"]["volumes"]


def test_env_example_lists_exactly_what_the_settings_read() -> None:
    assert sorted(env_example()) == sorted(settings.ENV_VARIABLES_READ)


def test_readme_explains_every_variable() -> None:
    readme = (ROOT / "README.md").read_text()

    assert [name for name in sorted(settings.ENV_VARIABLES_READ) if f"`{name}`" not in readme] == []


def test_readme_opens_with_the_two_commands() -> None:
    first_lines = (ROOT / "README.md").read_text().splitlines()[:12]

    assert "make run" in "\n".join(first_lines)
    assert "make test" in "\n".join(first_lines)


def test_production_configuration_passes_deploy_checks(compose: dict[str, Any]) -> None:
    """The settings accept .env.example plus compose's variables and find nothing to warn about."""
    # The browser tests allow ORM calls beside Playwright's loop; a deployment never does.
    env = {
        k: v for k, v in os.environ.items() if k not in settings.ENV_VARIABLES_READ and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(env_example())
    env.update(compose["services"]["web"]["environment"])

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_dockerfile_installs_the_weasyprint_libraries() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    ci = (ROOT / ".ci" / "run").read_text()

    for package in ("libpango-1.0-0", "libharfbuzz-subset0"):
        assert package in dockerfile
        assert package in ci
