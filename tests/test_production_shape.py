"""docker-compose.yml, the Dockerfile, .env.example, the README and the Makefile
agree with the settings. There is no Docker engine here, so this is the check."""

from __future__ import annotations

import json
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

from common.files import MAX_UPLOAD_BYTES

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
    assert sorted(compose["services"]) == ["backup", "beat", "db", "proxy", "redis", "web", "worker"]
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
    portal = [compose["services"][name] for name in ("web", "worker", "beat", "backup")]

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


def test_the_backup_runs_daily_into_its_own_volume_with_the_matching_pg_dump(compose: dict[str, Any]) -> None:
    """pg_dump refuses a server newer than itself: the image's client is the db image's major version."""
    backup = compose["services"]["backup"]
    environment = compose["services"]["web"]["environment"]
    server_major = compose["services"]["db"]["image"].split(":")[1].split(".")[0]

    assert "python manage.py backup" in backup["command"]
    assert "sleep 86400" in backup["command"]
    assert f"backups:{environment['BACKUP_DIR']}" in backup["volumes"]
    assert "media:/data/media" in backup["volumes"]
    assert "backups" in compose["volumes"]
    assert f"postgresql-client-{server_major}" in (ROOT / "Dockerfile").read_text()
    assert "BACKUP_KEEP" in env_example()


def nginx_directives() -> dict[str, list[str]]:
    """Each directive of deploy/nginx.conf with its arguments, one entry per occurrence."""
    found: dict[str, list[str]] = {}
    for line in (ROOT / "deploy" / "nginx.conf").read_text().splitlines():
        statement = line.split("#", 1)[0].strip()
        if statement.endswith(";"):
            name, _, arguments = statement.rstrip(";").partition(" ")
            found.setdefault(name, []).append(arguments.strip())
    return found


def production_settings(compose: dict[str, Any], *names: str) -> dict[str, Any]:
    """The named settings as a deployment with .env.example and compose's variables reads them."""
    env = {k: v for k, v in os.environ.items() if k not in settings.ENV_VARIABLES_READ}
    env.update(env_example())
    env.update(compose["services"]["web"]["environment"])
    probe = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {list(names)!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(result.stdout)


def test_the_proxy_serves_its_config_and_is_the_only_way_in(compose: dict[str, Any]) -> None:
    proxy = compose["services"]["proxy"]

    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert sorted(proxy["ports"]) == ["443:443", "80:80"]
    assert "ports" not in compose["services"]["web"]
    assert nginx_directives()["proxy_pass"] == ["http://web:8000"]


def test_the_proxy_sends_what_the_settings_read(compose: dict[str, Any]) -> None:
    """One proxy appends the client's address, as PROXY_COUNT assumes, and says the scheme."""
    headers = dict(value.split(" ", 1) for value in nginx_directives()["proxy_set_header"])
    production = production_settings(compose, "PROXY_COUNT", "SECURE_PROXY_SSL_HEADER")

    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    assert [name for name, service in compose["services"].items() if "nginx" in service.get("image", "")] == ["proxy"]
    assert production["PROXY_COUNT"] == 1
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_the_proxy_listens_with_https() -> None:
    directives = nginx_directives()

    assert "443 ssl" in directives["listen"]
    assert directives["ssl_certificate"] == ["/etc/nginx/certs/fullchain.pem"]


def test_the_proxys_body_limit_lets_the_portal_refuse_an_upload_itself() -> None:
    """Above the upload limit (the portal's message explains), but not by more than a form's other fields."""
    (limit,) = nginx_directives()["client_max_body_size"]
    assert limit.endswith("m")
    proxy_bytes = int(limit.removesuffix("m")) * 1024 * 1024

    assert MAX_UPLOAD_BYTES < proxy_bytes <= MAX_UPLOAD_BYTES + 2 * 1024 * 1024


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
