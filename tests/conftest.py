"""Fixtures every test may use, and the rules for tests that need real services.

Tests marked ``services`` need PostgreSQL and/or the Redis broker with a
running worker; ``browser`` tests need Debian's chromium. Without them such
tests are skipped, unless ``REQUIRE_SERVICES=1`` (as in CI), where a missing
service fails the run instead of hiding behind a skip.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from pytest_django import Settings

from accounts.models import User
from assessments.structure import forget_structures
from labels import figures
from tests.factories import UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Settings) -> None:
    """Real hashing costs ~0.3 s per password; tests create hundreds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Cached statistics and rate-limit counters belong to the test that made them."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def questionnaires_read_afresh() -> None:
    """What the process keeps of questionnaires (``assessments.structure``) belongs to the
    test that read it: a rolled-back database reuses keys, and fixtures write with
    ``update()``, which moves no revision."""
    forget_structures()


@pytest.fixture(autouse=True)
def english_unless_asked() -> Iterator[None]:
    """Every test starts in English: a request in Serbian activates Serbian for
    the thread, and without this it would leak into the next test's messages."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def reports_on_demand(settings: Any) -> None:
    """Benchmarking PDFs are rendered when asked, as in the embedded default: with a broker
    (CI) the setting's default would render every report at each award inside the test's
    request. Tests of rendering ahead switch it on themselves."""
    settings.BENCHMARKING_PDFS_AHEAD = False


@pytest.fixture(autouse=True)
def tasks_in_process(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run Celery tasks in the test's own process, except in ``services`` tests.

    With a broker configured (CI), a task queued by an ordinary test would go
    to the real worker, which cannot see the test's uncommitted transaction.
    Tests marked ``services`` exercise that worker on purpose.
    """
    if request.node.get_closest_marker("services"):
        # A figures refresh on the real worker would still be reading every table when the
        # test's teardown empties them (TRUNCATE against its SELECTs: a deadlock, and the
        # next test starts on leftovers). It runs here instead, at once; the worker's own
        # refresh is proved by a test that waits for its result.
        request.getfixturevalue("monkeypatch").setattr(figures, "figures_refresh_queue", _refresh_here)
        yield
        worker_idle_wait()
        return
    from escaportal.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def _refresh_here(*, delay: int | None = None) -> bool:
    figures.figures_refresh()
    return True


def worker_idle_wait(limit: float = 60.0) -> None:
    """Wait until the real worker has nothing queued, reserved or running (at most ``limit``
    seconds), then cancel what it holds for later: a task a ``services`` test left behind (a
    certificate rendered after an award; the figures or reports refresh the worker's own label
    changes queue a minute ahead) must not write on the tables the teardown is emptying, nor
    into a later test."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    from escaportal.celery import app

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with app.connection_for_read() as connection:
            waiting = connection.default_channel.queue_declare(queue=app.conf.task_default_queue).message_count
        inspect = app.control.inspect(timeout=0.5)
        busy = [tasks for reply in (inspect.active(), inspect.reserved()) for tasks in (reply or {}).values()]
        if not waiting and not any(busy):
            break
        time.sleep(0.2)
    later = app.control.inspect(timeout=0.5).scheduled() or {}
    held = [entry["request"]["id"] for entries in later.values() for entry in entries]
    if held:
        app.control.revoke(held)


@pytest.fixture
def broker_url() -> str:
    """The real broker's URL; skips (or fails under REQUIRE_SERVICES) without one."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        missing("CELERY_BROKER_URL is not set: tasks run in process")
    return str(settings.CELERY_BROKER_URL)


@pytest.fixture
def postgres() -> None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing("DATABASE_URL does not point to PostgreSQL")


@pytest.fixture
def chromium_path() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        missing(f"chromium is not installed at {CHROMIUM}")
    return CHROMIUM if os.path.exists(CHROMIUM) else str(shutil.which("chromium"))


@pytest.fixture
def user(db: None) -> User:
    return UserFactory()


@pytest.fixture
def user_client(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def people(db: None) -> dict[str, User]:
    """One person per role, plus an outsider with no role at all."""
    from accounts.enums import StaffRole
    from tests.factories import AssessorProfileFactory, MembershipFactory, PartnerStaffFactory, RoleGrantFactory

    return {
        "office": RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user,
        "committee": RoleGrantFactory(role=StaffRole.LABEL_COMMITTEE).user,
        "policy": RoleGrantFactory(role=StaffRole.POLICY_READER).user,
        "assessor": AssessorProfileFactory().user,
        "manager": MembershipFactory().user,
        "partner": PartnerStaffFactory().user,
        "outsider": UserFactory(),
    }


# --- Skips are counted and named ---------------------------------------------------------------
# The skips a full CI run (REQUIRE_SERVICES=1) accepts, each with its reason. Any
# other skip there fails the run: a test that quietly stops running is a rule
# that quietly stops being proved.
EXPECTED_SKIPS = {
    "tests/test_access_matrix.py::test_observe": "prints observed answers that differ from the table, on demand only",
    "tests/common/test_celery.py::test_ping_runs_in_process_without_broker": (
        "the embedded default's in-process tasks; with a broker the round trip test runs instead"
    ),
}
_skipped: dict[str, str] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _skipped[report.nodeid] = reason


def unexpected_skips() -> dict[str, str]:
    return {nodeid: reason for nodeid, reason in _skipped.items() if nodeid.split("[")[0] not in EXPECTED_SKIPS}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _skipped:
        return
    terminalreporter.section(f"{len(_skipped)} skipped")
    for nodeid, reason in sorted(_skipped.items()):
        expected = "expected" if nodeid.split("[")[0] in EXPECTED_SKIPS else "NOT EXPECTED"
        terminalreporter.write_line(f"{expected}: {nodeid}: {reason}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if REQUIRE_SERVICES and unexpected_skips() and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --- make proof -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True, scope="session")
def proof_mutant() -> None:
    """Under ``make proof`` (``PROOF_MUTANT`` set), loosen one rule for the whole run (tests/mutants.py)."""
    from tests.mutants import mutant_apply, mutant_from_environment

    if mutant := mutant_from_environment():
        mutant_apply(mutant)
