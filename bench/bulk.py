"""Memory of the bulk jobs (issue #21), measured, never asserted.

- ``bench_certificates_job``: a real Celery worker (prefork, two processes, Redis
  as broker) regenerates ``count`` certificates; the peak resident memory of its
  main process and of each child is sampled until the job is done. Target: under
  400 MB per process.
- ``bench_import_memory``: ``rows`` generated legacy label rows imported in this
  process, with the peak of what Python allocated (tracemalloc) and the peak
  resident memory.

Both expect Django set up on the bench's database (``DATABASE_URL`` in the
environment), as ``bench/run.py`` does.
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
import tracemalloc
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CELERY = ROOT / ".venv" / "bin" / "celery"
REDIS = "redis://127.0.0.1:6379"
# Redis databases tried, in order, for the worker's queue: the first empty one is used.
REDIS_DATABASES = (13, 14, 12, 11, 10)
CERTIFICATE_TARGET = "< 400 MB"
SAMPLE_SECONDS = 0.5
BENCH_IMPORT_FILE = "bench-certificates.csv"
COUNTRIES = ["AT", "BE", "DE", "DK", "ES", "FI", "FR", "HR", "HU", "IT", "NL", "PL", "PT", "RO", "RS", "SE", "SI"]


# --- Resident memory, read from /proc ----------------------------------------------------------


def _status_kb(pid: int, field: str) -> int | None:
    """A ``VmHWM``/``VmRSS`` line of /proc/<pid>/status in kB, or None once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return None


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return children


def _mb(kb: int) -> float:
    return round(kb / 1024, 1)


# --- Certificates ------------------------------------------------------------------------------


def _free_redis_database() -> str:
    import redis

    for number in REDIS_DATABASES:
        if redis.Redis.from_url(f"{REDIS}/{number}").dbsize() == 0:
            return f"{REDIS}/{number}"
    raise RuntimeError(f"no empty Redis database among {REDIS_DATABASES}")


def _empty_redis_database(url: str) -> None:
    """The database was empty before the run: what is left (results, bindings) is the run's."""
    import redis

    redis.Redis.from_url(url).flushdb()


def _bench_import_job() -> Any:
    """The import job the bench's certificate labels belong to: a certificate job of it renders
    those labels only, whatever else the bench's database holds."""
    from django.core.files.base import ContentFile

    from common.enums import JobState
    from labels.models import ImportJob

    job = ImportJob.objects.filter(file__endswith=BENCH_IMPORT_FILE).first()
    if job is None:
        job = ImportJob(state=JobState.DONE, report={"bench": True})
        job.file.save(BENCH_IMPORT_FILE, ContentFile(b"bench\n"), save=False)
        job.save()
    return job


def _seed_certificate_labels(count: int) -> Any:
    """At least ``count`` current labels in the bench's import job: one organisation each."""
    from clusters.enums import OrganisationState
    from clusters.models import ClusterOrganisation
    from common.enums import Level
    from labels.models import Label
    from labels.selectors import CURRENT_LABEL

    job = _bench_import_job()
    missing = count - Label.objects.filter(CURRENT_LABEL, imported_in=job).count()
    if missing <= 0:
        return job
    run = uuid.uuid4().hex[:8]
    rng = random.Random(21)
    ClusterOrganisation.objects.bulk_create(
        [
            ClusterOrganisation(
                name=f"Bench certificate cluster {run} {n}",
                slug=f"bench-certificate-{run}-{n}",
                country=COUNTRIES[n % len(COUNTRIES)],
                state=OrganisationState.ACTIVE,
            )
            for n in range(missing)
        ],
        batch_size=1000,
    )
    organisations = ClusterOrganisation.objects.filter(slug__startswith=f"bench-certificate-{run}-")
    today = date.today()
    batch: list[Label] = []
    for n, organisation in enumerate(organisations.only("pk", "name", "country").iterator(chunk_size=1000)):
        assessed = today - timedelta(days=rng.randint(0, 700))
        batch.append(
            Label(
                organisation=organisation,
                level=Level.GOLD if n % 10 == 0 else Level.BRONZE,
                source="import",
                assessed_on=assessed,
                valid_from=assessed,
                valid_until=assessed + timedelta(days=3 * 365),
                code=f"BC-{run[:6]}-{n}",
                awarded_name=organisation.name,
                imported_in=job,
            )
        )
        if len(batch) == 1000:
            Label.objects.bulk_create(batch)
            batch = []
    Label.objects.bulk_create(batch)
    return job


def bench_certificates_job(count: int = 10_000) -> dict[str, Any]:
    """Regenerate ``count`` certificates through a real worker and sample its memory.

    The worker writes into a throwaway MEDIA_ROOT, so every certificate is missing and drawn."""
    from celery import Celery

    from labels.models import CertificateJob

    job = _seed_certificate_labels(count)
    certificates = CertificateJob.objects.create(import_job=job)
    broker = _free_redis_database()
    media = Path(tempfile.mkdtemp(prefix="bench-bulk-media-"))
    log = media / "worker.log"
    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "MEDIA_ROOT": str(media),
        "DJANGO_SETTINGS_MODULE": "escaportal.settings",
    }
    command = [str(CELERY), "-A", "escaportal", "worker", "--concurrency=2", "--pool=prefork"]
    command += ["-n", f"bench-bulk-{uuid.uuid4().hex[:6]}@%h", "--without-gossip", "--without-mingle", "-l", "warning"]
    with log.open("w") as output:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    peaks: dict[int, int] = {}
    try:
        sender = Celery(broker=broker)
        start = time.perf_counter()
        sender.send_task("labels.regenerate_certificates", args=[certificates.pk])
        deadline = start + 120 + count * 3
        while time.perf_counter() < deadline:
            for pid in [worker.pid, *_children(worker.pid)]:
                peak = _status_kb(pid, "VmHWM")
                if peak is not None:
                    peaks[pid] = max(peaks.get(pid, 0), peak)
            certificates.refresh_from_db()
            if certificates.is_finished or worker.poll() is not None:
                break
            time.sleep(SAMPLE_SECONDS)
        seconds = time.perf_counter() - start
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        tail = log.read_text()[-2000:] if log.exists() else ""
        shutil.rmtree(media, ignore_errors=True)
        _empty_redis_database(broker)
    per_process = {("main" if pid == worker.pid else f"child {pid}"): _mb(kb) for pid, kb in sorted(peaks.items())}
    result: dict[str, Any] = {
        "certificates": certificates.processed,
        "rendered": certificates.rendered,
        "failed": len(certificates.failed),
        "state": certificates.state,
        "ranges": len(certificates.chunk_bounds),
        "seconds": round(seconds, 1),
        "peak_rss_mb_per_process": per_process,
        "peak_rss_mb_max": max(per_process.values(), default=0.0),
        "target": CERTIFICATE_TARGET,
    }
    if not certificates.is_finished:
        result["worker_log_tail"] = tail
    return result


# --- The legacy import -------------------------------------------------------------------------


def label_rows_csv(rows: int, *, seed: int = 21) -> bytes:
    """``rows`` legacy label rows: organisations with one to three labels of a level, renewals among them."""
    from labels.imports.parser import COLUMNS

    rng = random.Random(seed)
    run = uuid.uuid4().hex[:8]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    n = organisation = 0
    while n < rows:
        level = "gold" if organisation % 10 == 0 else "bronze"
        assessed = date(2012, 1, 1) + timedelta(days=rng.randint(0, 365 * 6))
        for _label in range(min(rng.randint(1, 3), rows - n)):
            writer.writerow(
                [
                    f"Bench import cluster {run} {organisation}",
                    COUNTRIES[organisation % len(COUNTRIES)],
                    "City",
                    "https://bench.example",
                    "ICT",
                    level,
                    assessed.isoformat(),
                    "",
                    "",
                    "",
                ]
            )
            assessed += timedelta(days=rng.randint(700, 900))
            n += 1
        organisation += 1
    return buffer.getvalue().encode()


def _reset_peak_rss() -> bool:
    """Start VmHWM afresh (Linux: writing 5 to clear_refs); False where it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def bench_import_memory(rows: int = 100_000) -> dict[str, Any]:
    """Import ``rows`` generated label rows in this process: the time, the peak of what Python
    allocated during the import (tracemalloc) and the process's peak resident memory (which
    includes tracemalloc's own bookkeeping, so it is an upper bound)."""
    from labels.imports.service import labels_import

    content = label_rows_csv(rows)
    rss_before = _status_kb(os.getpid(), "VmRSS") or 0
    reset = _reset_peak_rss()
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = labels_import(content=content)
        seconds = time.perf_counter() - start
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_peak = _status_kb(os.getpid(), "VmHWM") or 0
    return {
        "rows": rows,
        "file_mb": round(len(content) / 1024 / 1024, 1),
        "created": result.created,
        "errors": len(result.errors),
        "seconds": round(seconds, 1),
        "tracemalloc_peak_mb": round(peak / 1024 / 1024, 1),
        "rss_before_mb": _mb(rss_before),
        "peak_rss_mb": _mb(rss_peak) if reset else None,
        "target": "memory that does not grow with the rows",
    }
