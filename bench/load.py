"""The portal under concurrent load (issue #10), measured, never asserted.

``bench_load(results)`` runs last in ``make bench``, on the database the other
benches filled (the demo, 5,000 organisations with 20,000 labels, 100,000
sweep labels). It adds 2,000 Bronze applications with their answers and a
manager each, starts the portal under gunicorn with ``DEBUG`` off
(``bench.settings``: the production settings, rate limits off), and drives it
with 16 concurrent clients, each a thread with its own keep-alive connection:

- the ceiling, ``/bench/ceiling/``: a view that reads one row and answers JSON,
  the most Django serves per second on this machine; every page's throughput is
  also given as a share of it;
- the pages people use most (issue #21): the public registry with and without
  filters (followed through its own "next" links) and verification; every
  role's start page (manager, expert, partner, office, committee; a policy
  reader's is the statistics overview); a manager's application and section pages and the autosave (each
  client its own manager and application); an expert's scoring save (each
  client its own expert and case, ``bench.roles``); the partner's expiry
  dashboard and two statistics pages.

Per page: requests per second, median and p95 latency, errors (not 2xx, or no
answer; a scoring save must redirect and leave its scores) and the queries of
one request, counted in process at two sizes where a page has sizes (they
should be equal). Targets (issue #21): p95 under 150 ms at 16 clients with no
errors; registry, start pages, dashboards and statistics at 25 % or more of the
ceiling, verification at 50 %; queries independent of the page's size. The
gunicorn workers' peak resident memory is reported after the run.
"""

from __future__ import annotations

import http.client
import logging
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:  # imported where used: Django is set up first
    from accounts.models import User

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = 16
APPLICATIONS = 2000
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "8"))
WARM_UP_SECONDS = 1.5
# Sync workers, one request per process at a time. On two cores 2, 3 and 4
# workers were within the noise of each other; 3 (cores + 1) was ahead twice.
WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", "3"))
P95_TARGET_MS = 150
SHARE_TARGET = 0.25  # registry, start pages, dashboards and statistics (issue #21)
VERIFICATION_SHARE_TARGET = 0.5
NUMERIC_TEXT = ("integer", "decimal", "percentage", "text")
AUTOSAVED = ("integer", "text")
# ATOMIC_REQUESTS wraps every request in a transaction: its statements are not queries of the page.
TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
STATES = ["draft"] * 5 + ["submitted", "assessor_assignment", "in_assessment", "assessed", "awarded"]


@dataclass
class Draft:
    """A draft application its manager autosaves: (indicator pk, type, bounds, revision)."""

    user_id: int
    application_id: int
    answers: list[list[Any]] = field(default_factory=list)


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str | None = None
    expect: bytes | None = None  # must be in the body, or the request counts as an error
    after: Callable[[], None] | None = None  # run when it succeeded
    statuses: tuple[int, ...] = ()  # answers that count as success beside 2xx (a redirect after a POST)


# --- the volume ----------------------------------------------------------------


def seed_applications(count: int = APPLICATIONS, seed: int = 10) -> tuple[list[Draft], int]:
    """``count`` Bronze applications (half drafts, the rest spread over the later
    states, a tenth awarded) of organisations that had none, each with a manager
    and an answer to every numeric and text indicator; plus one draft without
    answers, the small size for counting queries. Returns the drafts with answers
    and the id of the one without."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User
    from assessments.models import Answer, Application, Indicator
    from assessments.questionnaires.selectors import published_version
    from clusters.enums import MembershipRole
    from clusters.models import ClusterOrganisation, Membership
    from common.services import history_record_dated

    rng = random.Random(seed)
    version = published_version("bronze")
    assert version is not None, "no published Bronze questionnaire (load_questionnaires)"
    indicators = list(
        Indicator.objects.filter(version=version, answer_type__in=NUMERIC_TEXT).values_list(
            "pk", "answer_type", "min_value", "max_value"
        )
    )
    organisations = list(
        ClusterOrganisation.objects.exclude(applications__level="bronze")
        .order_by("pk")
        .values_list("pk", flat=True)[: count + 1]
    )
    assert len(organisations) == count + 1, f"only {len(organisations)} organisations without a Bronze application"
    now = timezone.now()
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(
                email=f"manager{n}@bench-load.test",
                full_name=f"Bench manager {n}",
                password=password,
                email_confirmed_at=now,
            )
            for n in range(count + 1)
        ],
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        [
            Membership(organisation_id=o, user=u, role=MembershipRole.MANAGER)
            for o, u in zip(organisations, users, strict=True)
        ],
        batch_size=1000,
    )
    applications = Application.objects.bulk_create(
        [
            Application(
                organisation_id=organisation,
                level="bronze",
                version=version,
                state="draft" if n == count else STATES[n % len(STATES)],
                created_by=user,
                created_at=now - timedelta(days=rng.randint(20, 400)),
            )
            for n, (organisation, user) in enumerate(zip(organisations, users, strict=True))
        ],
        batch_size=1000,
    )
    transitions, answers, drafts = [], [], []
    for application, user in zip(applications[:count], users[:count], strict=True):
        transitions.append(_state_entry(application, "", "draft", user, now))
        if application.state != "draft":
            application.submitted_at = application.created_at + timedelta(days=14)
            transitions.append(_state_entry(application, "draft", application.state, user, now))
        else:
            drafts.append(Draft(user_id=user.pk, application_id=application.pk))
        for pk, answer_type, low, high in indicators:
            answers.append(
                Answer(
                    application=application,
                    indicator_id=pk,
                    value=_value(rng, answer_type, low, high),
                    revision=1,
                    updated_by=user,
                    updated_at=now,
                )
            )
            if application.state == "draft" and answer_type in AUTOSAVED:
                drafts[-1].answers.append([pk, answer_type, low, high, 1])
    Application.objects.bulk_update(
        [a for a in applications if a.submitted_at is not None], ["submitted_at"], batch_size=1000
    )
    history_record_dated(transitions)
    Answer.objects.bulk_create(answers, batch_size=2000)
    return drafts, applications[count].pk


def _state_entry(application: Any, before: str, after: str, user: Any, at: Any) -> Any:
    from common.services import HistoryEntry

    return HistoryEntry(obj=application, action="application.state", by=user, at=at, data={"state": [before, after]})


def _value(rng: random.Random, answer_type: str, low: Any, high: Any) -> Any:
    """A value as the answer's cleaner stores it: int, plain decimal string or text."""
    if answer_type == "text":
        return f"Bench answer {rng.randint(0, 10**6)}: " + "words " * rng.randint(5, 60)
    low = int(low or 0)
    high = int(high) if high is not None else low + 1000
    if answer_type == "integer":
        return rng.randint(low, high)
    return f"{rng.randint(low * 100, high * 100) / 100:g}"


# --- queries per request, in process --------------------------------------------


def count_queries(pages: dict[str, list[tuple[User | None, str, str, dict[str, str] | None]]]) -> dict[str, list[int]]:
    """For each page, the queries of one request per (user, method, path, data), the
    page warm (templates loaded) and transaction statements left out. The first
    variant is the page as loaded; the last two, where there are more, are the
    page at two sizes, whose counts should be equal."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    logging.getLogger("axes").setLevel(logging.WARNING)
    counts: dict[str, list[int]] = {}
    with override_settings(ROOT_URLCONF="bench.urls"):
        for name, variants in pages.items():
            counts[name] = []
            for user, method, path, data in variants:
                client = Client(HTTP_HX_REQUEST="true") if method == "POST" else Client()
                if user is not None:
                    client.force_login(user)
                if method == "GET":
                    client.get(path)
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(path) if method == "GET" else client.post(path, data)
                # A form's POST answers with a redirect back to its page.
                assert response.status_code in (200, 302), (name, path, response.status_code)
                counts[name].append(sum(not q["sql"].startswith(TRANSACTION) for q in queries.captured_queries))
    return counts


# --- gunicorn ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def portal_environment(port: int, secret_key: str, static_root: str) -> dict[str, str]:
    """The environment of a production start, on this machine: same database, DEBUG off, plain HTTP."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DEBUG": "false",
            "SECRET_KEY": secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "WARNING",
            "BENCH_STATIC_ROOT": static_root,
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


@contextmanager
def gunicorn(port: int, env: dict[str, str], log: Path, workers: int = WORKERS) -> Iterator[subprocess.Popen[bytes]]:
    """The portal under gunicorn on ``port``, stopped whatever happens."""
    command = [sys.executable, "-m", "gunicorn", "escaportal.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", "1"]
    command += ["--timeout", "60", "--log-level", "warning"]
    output = log.open("wb")  # gunicorn's and Django's logs, tracebacks included
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start:\n{log.read_text()[-3000:]}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/bench/ceiling/")
                status = connection.getresponse().status
                connection.close()
                if status == 200:
                    break
                raise RuntimeError(f"the ceiling answers {status}:\n{log.read_text()[-3000:]}")
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not answer within 60 s:\n{log.read_text()[-3000:]}") from None
                time.sleep(0.2)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        output.close()


# --- the harness -----------------------------------------------------------------


@dataclass
class Tally:
    durations_ms: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""


def drive(port: int, makers: list[Callable[[int], Request]], seconds: float) -> tuple[Tally, float]:
    """One thread per maker (a client), each sending the requests its maker gives
    over one keep-alive connection (reopened when the server closes it) until the
    time is up. Returns the tally and the wall time in seconds."""
    tallies = [Tally() for _maker in makers]
    start_line = threading.Barrier(len(makers) + 1)
    stop_at = [0.0]

    def client(maker: Callable[[int], Request], tally: Tally) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start_line.wait()
        i = 0
        while time.perf_counter() < stop_at[0]:
            request = maker(i)
            i += 1
            began = time.perf_counter()
            try:
                connection.request(request.method, request.path, body=request.body, headers=request.headers)
                response = connection.getresponse()
                body = response.read()
                elapsed = (time.perf_counter() - began) * 1000
                ok = (200 <= response.status < 300 or response.status in request.statuses) and (
                    request.expect is None or request.expect in body
                )
                problem = "" if ok else f"{request.method} {request.path}: {response.status} {body[:200]!r}"
            except (OSError, http.client.HTTPException) as error:
                elapsed = (time.perf_counter() - began) * 1000
                problem = f"{request.method} {request.path}: {error!r}"
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            tally.durations_ms.append(elapsed)
            if problem:
                tally.errors += 1
                tally.first_error = tally.first_error or problem
            elif request.after is not None:
                request.after()
        connection.close()

    threads = [threading.Thread(target=client, args=(m, t), daemon=True) for m, t in zip(makers, tallies, strict=True)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start_line.wait()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    total = Tally()
    for tally in tallies:
        total.durations_ms += tally.durations_ms
        total.errors += tally.errors
        total.first_error = total.first_error or tally.first_error
    return total, wall


def _figures(tally: Tally, wall: float) -> dict[str, Any]:
    ordered = sorted(tally.durations_ms)
    return {
        "requests": len(ordered),
        "rps": round(len(ordered) / wall, 1),
        "median_ms": round(_median(ordered), 1) if ordered else None,
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1) if ordered else None,
        "errors": tally.errors,
    }


def _median(ordered: list[float]) -> float:
    return statistics.median(ordered)


def _get(path: str, cookie: str | None = None) -> Request:
    return Request("GET", path, {"Cookie": cookie} if cookie else {})


def _client(number: int, request: Callable[[int, int], Request]) -> Callable[[int], Request]:
    """One client's requests: ``request(client, i)`` with the client's number bound."""
    return lambda i: request(number, i)


def _application_page(draft: Draft, cookie: str) -> Callable[[int], Request]:
    return lambda i: _get(f"/assessments/a/{draft.application_id}/", cookie)


def _autosave(draft: Draft, cookie: str, csrf: str) -> Callable[[int], Request]:
    """What htmx sends when a person types: the value, the revision the page showed, the CSRF token."""

    def make(i: int) -> Request:
        row = draft.answers[i % len(draft.answers)]
        pk, answer_type, low, high, revision = row
        if answer_type == "integer":
            value = str(int(low or 0) + i % max(1, int(high or 100) - int(low or 0) + 1))
        else:
            value = f"Typed by client {draft.user_id}, keystroke {i}"

        def saved() -> None:
            row[4] += 1

        return Request(
            "POST",
            f"/assessments/a/{draft.application_id}/answers/{pk}/",
            {
                "Cookie": cookie,
                "HX-Request": "true",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            urlencode({"value": value, "revision": revision, "csrfmiddlewaretoken": csrf}),
            expect=b'data-status="saved"',
            after=saved,
        )

    return make


def _session_cookies(users: list[User], secret_key: str) -> list[str]:
    """Sessions made in process, signed with the portal's key, as the harness sends them
    (logging in through the form would go through axes and the password hasher)."""
    from django.test import Client, override_settings

    cookies = []
    logging.getLogger("axes").setLevel(logging.WARNING)  # one INFO line per login otherwise
    with override_settings(SECRET_KEY=secret_key):
        for user in users:
            client = Client()
            client.force_login(user)
            cookies.append(client.cookies["sessionid"].value)
    return cookies


# --- the bench -------------------------------------------------------------------


@dataclass
class Page:
    """One page of the load run: its clients' requests, the requests whose queries are
    counted (the last two at two sizes, where it has sizes) and its share of the ceiling
    to reach (None: the p95 and error targets only)."""

    makers: list[Callable[[int], Request]]
    counted: list[tuple[User | None, str, str, dict[str, str] | None]]
    share_target: float | None = None


def bench_load(results: dict[str, Any]) -> None:
    from django.conf import settings

    from accounts.models import User
    from bench import roles
    from labels.models import Label

    started = time.perf_counter()
    drafts, empty_application = seed_applications()
    experts = roles.seed_experts(CLIENTS + 2)
    seeded_at = time.perf_counter()
    seeded = seeded_at - started
    assert len(drafts) >= CLIENTS + 1, "too few draft applications for one per client"
    users = User.objects.in_bulk([d.user_id for d in drafts[: CLIENTS + 1]])
    expert_users = User.objects.in_bulk([e.user_id for e in experts])
    empty_owner = User.objects.get(memberships__organisation__applications=empty_application)
    named = {u.email: u for u in User.objects.filter(email__endswith="@demo.test")}
    partner, policy, office = named["partner@demo.test"], named["policy@demo.test"], named["office@demo.test"]
    committee = named["committee@demo.test"]
    codes = list(
        Label.objects.filter(superseded_by__isnull=True, revoked_at__isnull=True)
        .order_by("?")
        .values_list("code", flat=True)[:500]
    )
    ceiling_pks = list(Label.objects.order_by("?").values_list("pk", flat=True)[:500])
    registry = roles.registry_paths()
    filtered = [path for query in roles.REGISTRY_FILTERS for path in roles.registry_paths(query, pages=5)]
    sections = roles.section_codes(drafts[0].application_id)
    counted = drafts[CLIENTS]  # not one of the clients': its revisions move here
    row = counted.answers[0]
    # The expert counted has six cases; the last one has one: the start page's two sizes.
    counted_expert, small_expert = experts[CLIENTS], experts[CLIENTS + 1]

    secret_key = secrets.token_urlsafe(50)
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _i in range(32))
    manager_sessions = _session_cookies([users[d.user_id] for d in drafts[:CLIENTS]], secret_key)
    expert_sessions = _session_cookies([expert_users[e.user_id] for e in experts[:CLIENTS]], secret_key)
    partner_session, policy_session, office_session, committee_session = _session_cookies(
        [partner, policy, office, committee], secret_key
    )
    managers = [f"sessionid={s}; csrftoken={csrf}" for s in manager_sessions]
    expert_cookies = [f"sessionid={s}; csrftoken={csrf}" for s in expert_sessions]

    def each(paths: list[str], cookie: str | None = None) -> list[Callable[[int], Request]]:
        """Every client walks the same paths, each starting at its own place."""
        return [_client(c, lambda c, i: _get(paths[(i + c) % len(paths)], cookie)) for c in range(CLIENTS)]

    start = roles.start_page_paths()
    pages: dict[str, Page] = {
        "ceiling (one row as JSON)": Page(
            [
                _client(c, lambda c, i: _get(f"/bench/ceiling/?pk={ceiling_pks[(i * CLIENTS + c) % len(ceiling_pks)]}"))
                for c in range(CLIENTS)
            ],
            [(None, "GET", f"/bench/ceiling/?pk={ceiling_pks[0]}", None)],
        ),
        # What any page pays before its own work: the privacy page (text and the header)
        # as a visitor, and as a signed-in manager (session, person, roles for the header's
        # navigation, the unread count). A page's share can hardly pass its floor's.
        "floor: a public page (privacy)": Page(each(["/privacy/"]), [(None, "GET", "/privacy/", None)]),
        "floor: a signed-in page (privacy, manager)": Page(
            [_fixed("/privacy/", m) for m in managers], [(users[counted.user_id], "GET", "/privacy/", None)]
        ),
        "registry": Page(
            each(registry), [(None, "GET", registry[0], None), (None, "GET", registry[-1], None)], SHARE_TARGET
        ),
        "registry, filtered": Page(
            each(filtered),
            [(None, "GET", "/registry/?country=DE", None), (None, "GET", "/registry/?country=RS&level=bronze", None)],
            SHARE_TARGET,
        ),
        "verification": Page(
            [
                _client(c, lambda c, i: _get(f"/verify/{codes[(i * CLIENTS + c) % len(codes)]}/"))
                for c in range(CLIENTS)
            ],
            [(None, "GET", f"/verify/{codes[0]}/", None)],
            VERIFICATION_SHARE_TARGET,
        ),
        "start page: manager": Page(
            [_fixed(start["manager"], m) for m in managers],
            [(users[counted.user_id], "GET", start["manager"], None)],
            SHARE_TARGET,
        ),
        "start page: expert": Page(
            [_fixed(start["expert"], e) for e in expert_cookies],
            [
                (expert_users[counted_expert.user_id], "GET", start["expert"], None),
                (expert_users[small_expert.user_id], "GET", start["expert"], None),
                (expert_users[counted_expert.user_id], "GET", start["expert"], None),
            ],
            SHARE_TARGET,
        ),
        "start page: partner": Page(
            [lambda i: _get(start["partner"], f"sessionid={partner_session}")] * CLIENTS,
            [(partner, "GET", start["partner"], None)],
            SHARE_TARGET,
        ),
        "start page: office": Page(
            [lambda i: _get(start["office"], f"sessionid={office_session}")] * CLIENTS,
            [(office, "GET", start["office"], None)],
            SHARE_TARGET,
        ),
        "start page: committee": Page(
            [lambda i: _get(start["committee"], f"sessionid={committee_session}")] * CLIENTS,
            [(committee, "GET", start["committee"], None)],
            SHARE_TARGET,
        ),
        "application page (manager)": Page(
            [_application_page(d, m) for d, m in zip(drafts[:CLIENTS], managers, strict=True)],
            [
                (users[counted.user_id], "GET", f"/assessments/a/{counted.application_id}/", None),
                (empty_owner, "GET", f"/assessments/a/{empty_application}/", None),
            ],
        ),
        "section page (manager)": Page(
            [
                _walk([_section(d.application_id, code) for code in sections], c, m)
                for c, (d, m) in enumerate(zip(drafts[:CLIENTS], managers, strict=True))
            ],
            [
                (users[counted.user_id], "GET", _section(counted.application_id, sections[0]), None),
                (empty_owner, "GET", _section(empty_application, sections[0]), None),
            ],
        ),
        "autosave (htmx POST)": Page(
            [_autosave(d, m, csrf) for d, m in zip(drafts[:CLIENTS], managers, strict=True)],
            [
                (
                    users[counted.user_id],
                    "POST",
                    f"/assessments/a/{counted.application_id}/answers/{row[0]}/",
                    {"value": "7" if row[1] == "integer" else "Seven", "revision": str(row[4])},
                )
            ],
        ),
        "scoring save (expert, one section)": Page(
            [roles.scoring_save(e, c, csrf) for e, c in zip(experts[:CLIENTS], expert_cookies, strict=True)],
            [
                (
                    expert_users[counted_expert.user_id],
                    "POST",
                    f"/assessments/a/{counted_expert.application_id}/score/{counted_expert.section_code}/",
                    roles.scoring_body(counted_expert, 0),
                )
            ],
        ),
        "partner dashboard": Page(  # sizes: the office's, for all countries and for one
            [lambda i: _get("/labels/dashboard/", f"sessionid={partner_session}")] * CLIENTS,
            [
                (partner, "GET", "/labels/dashboard/", None),
                (office, "GET", "/labels/dashboard/", None),
                (office, "GET", "/labels/dashboard/?country=RS", None),
            ],
            SHARE_TARGET,
        ),
        "statistics overview": Page(
            [lambda i: _get("/statistics/", f"sessionid={policy_session}")] * CLIENTS,
            [(policy, "GET", "/statistics/", None), (policy, "GET", "/statistics/?country=RS", None)],
            SHARE_TARGET,
        ),
        "statistics comparison": Page(
            [lambda i: _get("/statistics/comparison/?country=RS", f"sessionid={policy_session}")] * CLIENTS,
            [
                (policy, "GET", "/statistics/comparison/?country=RS", None),
                (policy, "GET", "/statistics/comparison/?country=DE", None),
            ],
            SHARE_TARGET,
        ),
    }
    query_counts = count_queries({name: page.counted for name, page in pages.items()})

    counted_at = time.perf_counter()
    static_root = tempfile.mkdtemp(prefix="escaportal-bench-static-")
    log = Path(static_root) / "gunicorn.log"
    port = _free_port()
    env = portal_environment(port, secret_key, static_root)
    measured: dict[str, dict[str, Any]] = {}
    try:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        with gunicorn(port, env, log) as server:
            for name, page in pages.items():
                drive(port, page.makers[:WORKERS], WARM_UP_SECONDS)  # each worker loads its templates
                tally, wall = drive(port, page.makers, SECONDS)
                measured[name] = _figures(tally, wall)
                if tally.first_error:
                    measured[name]["first_error"] = tally.first_error[:300]
            web_memory = roles.peak_memory_mb(server.pid)
        gunicorn_log = log.read_text() if log.exists() else ""
    finally:
        shutil.rmtree(static_root, ignore_errors=True)

    loaded_at = time.perf_counter()
    _scores_were_saved(experts[:CLIENTS], measured["scoring save (expert, one section)"])
    ceiling_rps = measured["ceiling (one row as JSON)"]["rps"] or 1
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    rows = []
    for name, figures in measured.items():
        _judge(name, figures, query_counts[name], ceiling_rps, pages[name].share_target)
        results[f"load: {name}"] = figures
        rows.append((name, figures))
    results["load: setup"] = {
        "database": engine,
        "gunicorn_workers": WORKERS,
        "clients": CLIENTS,
        "seconds_per_page": SECONDS,
        "applications_seeded": APPLICATIONS,
        "experts_seeded": len(experts),
        "tracebacks_logged": gunicorn_log.count("Traceback"),
        "first_exception": _first_exception(gunicorn_log),
        "seconds_seeding": round(seeded, 1),
        "seconds_counting_queries": round(counted_at - seeded_at, 1),
        "seconds_under_load": round(loaded_at - counted_at, 1),
    }
    results["load: memory of the web workers (peak resident)"] = {
        **web_memory,
        "target": "reported",
    }
    _print_table(rows, engine)
    print(f"web workers' peak resident memory: {web_memory['children_mb']} MB (master {web_memory['main_mb']} MB)")


def _fixed(path: str, cookie: str) -> Callable[[int], Request]:
    """A client that asks for one page, again and again."""
    return lambda i: _get(path, cookie)


def _walk(paths: list[str], start: int, cookie: str) -> Callable[[int], Request]:
    """A client that walks through pages in turn, from its own place."""
    return lambda i: _get(paths[(i + start) % len(paths)], cookie)


def _section(application_id: int, code: str) -> str:
    return f"/assessments/a/{application_id}/s/{code}/"


def _judge(
    name: str, figures: dict[str, Any], counts: list[int], ceiling_rps: float, share_target: float | None
) -> None:
    """Each page's share of the ceiling and queries, and whether it meets its targets."""
    figures["share_of_ceiling"] = round(figures["rps"] / ceiling_rps, 2)
    figures["queries"] = counts[0]
    if len(counts) > 1:
        figures["queries_at_two_sizes"] = counts[-2:]
    if "ceiling" in name or name.startswith("floor"):
        figures["target"], figures["met"] = "reference", "reference"
        return
    checks = [f"p95 < {P95_TARGET_MS} ms, no errors"]
    met = figures["p95_ms"] is not None and figures["p95_ms"] < P95_TARGET_MS and figures["errors"] == 0
    if share_target is not None:
        checks.append(f"≥ {share_target:.0%} of the ceiling")
        met = met and figures["share_of_ceiling"] >= share_target
    if len(counts) > 1:
        checks.append("same queries at both sizes")
        met = met and counts[-2] == counts[-1]
    figures["target"] = "; ".join(checks)
    figures["met"] = "yes" if met else "NO"


def _scores_were_saved(experts: list[Any], figures: dict[str, Any]) -> None:
    """A refused save redirects like a saved one: count a client whose case has no comment
    of the load's rounds as an error, so a refusal cannot pass for speed."""
    from assessments.models import Score

    saved = set(
        Score.objects.filter(
            application_id__in=[e.application_id for e in experts], comment__startswith="Seen in the evidence"
        ).values_list("application_id", flat=True)
    )
    missing = [e.application_id for e in experts if e.application_id not in saved]
    if missing:
        figures["errors"] += len(missing)
        figures.setdefault("first_error", f"no score saved for the cases {missing[:5]}")


def _first_exception(log: str) -> str:
    """The exception line of the first traceback in the workers' log, if any."""
    lines = log.splitlines()
    for n, line in enumerate(lines):
        if line.startswith("Traceback"):
            for after in lines[n + 1 :]:
                if after and not after.startswith(" "):
                    return after[:300]
    return ""


def _print_table(rows: list[tuple[str, dict[str, Any]]], engine: str) -> None:
    print(
        f"\nload: {CLIENTS} clients, gunicorn {WORKERS} sync workers, {engine}, {SECONDS:g} s per page "
        f"(targets: p95 < {P95_TARGET_MS} ms, no errors; registry, start pages, dashboards and statistics "
        f"≥ {SHARE_TARGET:.0%} of the ceiling, verification ≥ {VERIFICATION_SHARE_TARGET:.0%})"
    )
    header = ("page", "req/s", "median ms", "p95 ms", "errors", "of ceiling", "queries (2 sizes)", "met")
    table = [header]
    for name, f in rows:
        sizes = f.get("queries_at_two_sizes")
        queries = str(f["queries"]) + (f" ({sizes[0]}/{sizes[1]})" if sizes else "")
        table.append(
            (
                name,
                f"{f['rps']:.1f}",
                f"{f['median_ms']}",
                f"{f['p95_ms']}",
                str(f["errors"]),
                f"{f['share_of_ceiling']:.0%}",
                queries,
                f["met"],
            )
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for n, r in enumerate(table):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    for name, f in rows:
        if f.get("first_error"):
            print(f"  {name}: first error: {f['first_error']}")
    print()
