"""``make bench``: speed figures on realistic volumes, measured, never asserted.

Runs against its own database (``var/bench.sqlite3`` unless ``DATABASE_URL``
is set), so it never touches the demo. Prints a table and writes
``bench-results/latest.json``. CI machines are noisy: read medians, compare
runs on the same machine.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "escaportal.settings")
BENCH_POSTGRES = "postgres://postgres@127.0.0.1:5432/escaportal_bench"


def _fresh_postgres() -> bool:
    """A new, empty ``escaportal_bench`` database on the local PostgreSQL, if one answers."""
    try:
        import psycopg2

        admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres", connect_timeout=3)
    except Exception:  # no PostgreSQL here: the bench falls back to SQLite
        return False
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS escaportal_bench WITH (FORCE)")
        cursor.execute("CREATE DATABASE escaportal_bench")
    admin.close()
    return True


# The issue's volumes belong in PostgreSQL, as in production: a fresh database
# on the local server when there is one; else a throwaway SQLite file.
if "DATABASE_URL" not in os.environ:
    if _fresh_postgres():
        os.environ["DATABASE_URL"] = BENCH_POSTGRES
    else:
        (ROOT / "var").mkdir(exist_ok=True)
        bench_db = ROOT / "var" / "bench.sqlite3"
        bench_db.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{bench_db}"
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

RESULTS: dict[str, dict[str, float | int | str]] = {}


def timed(samples: int, action: Callable[[int], object]) -> list[float]:
    durations = []
    for i in range(samples):
        start = time.perf_counter()
        action(i)
        durations.append((time.perf_counter() - start) * 1000)
    return durations


def record(name: str, durations_ms: list[float], target: str) -> None:
    ordered = sorted(durations_ms)
    RESULTS[name] = {
        "samples": len(ordered),
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
        "target": target,
    }


def prepare() -> None:
    call_command("migrate", verbosity=0)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=io.StringIO())
    call_command("load_questionnaires", stdout=io.StringIO())


def bench_import() -> None:
    from labels.imports.service import labels_import

    rng = random.Random(7)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "organisation",
            "country",
            "city",
            "website",
            "sector",
            "level",
            "assessed_on",
            "valid_until",
            "score",
            "label_code",
        ]
    )
    countries = ["DE", "AT", "FR", "IT", "ES", "PL", "HR", "SI", "RO", "BG", "HU", "CZ"]
    for n in range(1000):
        writer.writerow(
            [
                f"Bench Cluster {n // 2}",
                countries[n % len(countries)],
                "City",
                "https://b.example",
                "ICT",
                "bronze",
                f"{2014 + (n % 2) * 2 + rng.randint(0, 1)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                "",
                "",
                "",
            ]
        )
    content = buffer.getvalue().encode()
    start = time.perf_counter()
    result = labels_import(content=content, dry_run=True)
    dry = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    result = labels_import(content=content)
    wet = (time.perf_counter() - start) * 1000
    RESULTS["import 1,000 label rows"] = {
        "check_only_ms": round(dry, 1),
        "write_ms": round(wet, 1),
        "created": result.created,
        "errors": len(result.errors),
        "target": "a few seconds",
    }


def bench_autosave() -> None:
    from accounts.models import User
    from assessments.models import Answer, Indicator
    from assessments.services import applications
    from clusters.models import ClusterOrganisation
    from common.enums import Level
    from labels.demo import DEMO_MANAGER_ORGANISATION

    manager = User.objects.get(email="manager@demo.test")
    organisation = ClusterOrganisation.objects.get(name=DEMO_MANAGER_ORGANISATION)
    application = applications.application_start(organisation=organisation, level=Level.GOLD, by=manager)
    indicators = list(Indicator.objects.filter(version=application.version, answer_type__in=["integer", "text"]))
    client = Client()
    client.force_login(manager)

    def save(i: int) -> None:
        indicator = indicators[i % len(indicators)]
        revision = (
            Answer.objects.filter(application=application, indicator=indicator)
            .values_list("revision", flat=True)
            .first()
            or 0
        )
        if indicator.answer_type == "integer":
            low = int(indicator.min_value or 0)
            high = int(indicator.max_value) if indicator.max_value is not None else low + 100
            value = str(low + i % max(1, high - low + 1))
        else:
            value = f"Text {i}"
        response = client.post(
            f"/assessments/a/{application.pk}/answers/{indicator.pk}/",
            {"value": value, "revision": revision},
            HTTP_HX_REQUEST="true",
        )
        assert b'data-status="saved"' in response.content, response.content[:300]

    timed(10, save)  # warm up
    record("autosave one answer (htmx POST)", timed(200, save), "< 100 ms median")


def bench_pages() -> None:
    from accounts.models import User

    office = User.objects.get(email="office@demo.test")
    partner = User.objects.get(email="partner@demo.test")
    client = Client()
    client.force_login(office)
    record("office organisation list", timed(50, lambda i: client.get("/clusters/organisations/")), "< 300 ms median")
    record(
        "office organisation list CSV",
        timed(20, lambda i: client.get("/clusters/organisations/?format=csv").getvalue()),
        "< 300 ms median",
    )
    client.force_login(partner)
    record("partner start page", timed(50, lambda i: client.get("/clusters/partner/")), "< 300 ms median")


def bench_certificate() -> None:
    """The certificate pipeline (facts, QR code, template, WeasyPrint, storage) against WeasyPrint alone."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from common.enums import Level
    from labels.certificates.rendering import ISSUER, LOOKS, certificate_facts, certificate_render, qr_svg
    from labels.models import Label

    label = Label.objects.filter(level="gold").select_related("organisation").first() or Label.objects.first()
    assert label is not None
    facts = certificate_facts(label)
    html = render_to_string(
        "labels/certificate_pdf.html",
        {
            "label": label,
            "facts": facts,
            "look": LOOKS[Level(label.level)],
            "qr": qr_svg(facts["verify_url"]),
            "issuer": ISSUER,
        },
    )
    base = str(settings.BASE_DIR)
    timed(3, lambda i: HTML(string=html, base_url=base).write_pdf())  # warm up fonts
    raw = timed(20, lambda i: HTML(string=html, base_url=base).write_pdf())
    pipeline = timed(20, lambda i: certificate_render(label=label, force=True))
    record("certificate: WeasyPrint alone", raw, "reference")
    record("certificate: portal pipeline", pipeline, "< 100 ms median, at most 30 % over WeasyPrint alone")
    RESULTS["certificate: portal pipeline"]["ratio_to_weasyprint"] = round(
        statistics.median(pipeline) / statistics.median(raw), 2
    )


def bench_statistics_and_dashboards() -> None:
    """Issue #8's volume (5,000 organisations, 20,000 labels): statistics pages and the expiry dashboards."""
    from bench.statistics_pages import bench_statistics, figures_store, seed_volume

    seed_volume(organisations=5000, labels=20000)
    figures_store()
    for name, durations in bench_statistics().items():
        record(name, durations, "< 300 ms median")
    from accounts.models import User

    client = Client()
    for email, who in (("office@demo.test", "office, all countries"), ("partner@demo.test", "partner, Serbia")):
        client.force_login(User.objects.get(email=email))
        client.get("/labels/dashboard/")
        record(f"expiry dashboard ({who})", timed(20, lambda i: client.get("/labels/dashboard/")), "< 300 ms median")
        record(
            f"expiry list, 180 days ({who})",
            timed(20, lambda i: client.get("/labels/dashboard/expiring-180/")),
            "< 300 ms median",
        )


def bench_reminders() -> None:
    """Issue #7: 1,000 reminders through a real SMTP server, then the selection among 100,000 labels."""
    from django.utils import timezone

    from bench.reminders import bench_reminder_selection, bench_reminder_smtp

    today = timezone.localdate()
    smtp = bench_reminder_smtp(today)
    RESULTS["reminders: 1,000 sent through SMTP on localhost"] = {**smtp, "target": "< 30 s"}
    selection = bench_reminder_selection(today)
    RESULTS["reminders: select what is due among 100,000 labels"] = {**selection, "target": "< 2 s"}


def bench_figures_refresh() -> None:
    """Issue #21: the worker's refresh of every stored figure on the full volume (120,000 labels)."""
    from bench.statistics_pages import figures_store

    RESULTS["figures refresh, every scope (worker)"] = {**figures_store(), "target": "reported"}


def bench_bulk_jobs() -> None:
    """Issue #21: the certificate job through a real worker and the legacy import, with their memory.
    ``BENCH_CERTIFICATES`` and ``BENCH_IMPORT_ROWS`` set the sizes (the issue's by default)."""
    from bench.bulk import bench_certificates_job, bench_import_memory

    certificates = int(os.environ.get("BENCH_CERTIFICATES", "10000"))
    rows = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
    if certificates:
        RESULTS[f"certificate job: {certificates:,} through a Celery worker"] = bench_certificates_job(certificates)
    if rows:
        RESULTS[f"import {rows:,} label rows (memory)"] = bench_import_memory(rows)


def _analyze() -> None:
    """Fresh planner statistics after the bulk loads, as autovacuum would gather them in a
    running database: without them PostgreSQL plans for tables it believes are empty."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main() -> None:
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    prepare()
    bench_import()
    bench_autosave()
    bench_pages()
    bench_certificate()
    bench_statistics_and_dashboards()
    bench_reminders()
    bench_figures_refresh()
    _analyze()
    from bench.load import bench_load

    bench_load(RESULTS)
    # Last: the import adds 50,000 organisations the pages above must not see.
    bench_bulk_jobs()
    width = max(len(name) for name in RESULTS)
    for name, figures in RESULTS.items():
        shown = ", ".join(f"{k}={v}" for k, v in figures.items())
        print(f"{name:<{width}}  {shown}")
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(RESULTS, indent=2))


if __name__ == "__main__":
    main()
