"""The legacy import holds a batch of organisations, never the file's rows: its memory does not
follow the size of the file. Measured with tracemalloc at two sizes; assert the invariant, not time."""

from __future__ import annotations

import random
import tracemalloc
from datetime import date

import pytest

from labels.imports import service
from labels.imports.service import ImportResult, labels_import
from labels.models import Label

HEADER = "organisation,country,city,website,sector,level,assessed_on,valid_until,score,label_code"
TODAY = date(2026, 6, 1)
COUNTRIES = ["AT", "BE", "DE", "FR", "HR", "IT", "RS", "SI"]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 50 organisations and a plan of 100 rows: the sizes below are many batches each."""
    monkeypatch.setattr(service, "ORGANISATIONS_PER_BATCH", 50)
    monkeypatch.setattr(service, "PLANNED_KEPT", 100)


def label_file(rows: int, *, prefix: str) -> bytes:
    """Organisations with a first label and its renewal each, the rows in no particular order."""
    lines = []
    for n in range(rows):
        organisation, renewal = divmod(n, 2)
        country = COUNTRIES[organisation % len(COUNTRIES)]
        assessed = "2022-03-01" if renewal else "2019-03-01"
        lines.append(f"{prefix} cluster {organisation},{country},City,,Food industry,bronze,{assessed},,,")
    random.Random(rows).shuffle(lines)
    return "\n".join([HEADER, *lines]).encode()


def peak_of_import(rows: int, *, dry_run: bool) -> tuple[int, ImportResult]:
    content = label_file(rows, prefix=f"Memory {rows}")
    tracemalloc.start()
    try:
        result = labels_import(content=content, dry_run=dry_run, today=TODAY)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, result


def test_checking_a_file_ten_times_larger_takes_far_less_than_ten_times_the_memory() -> None:
    peak_of_import(20, dry_run=True)  # what a first run allocates once (compiled queries, translations)
    small, small_result = peak_of_import(300, dry_run=True)
    large, large_result = peak_of_import(3_000, dry_run=True)

    assert (small_result.created, large_result.created, small_result.errors, large_result.errors) == (300, 3000, [], [])
    assert [planned.row for planned in large_result.planned] == list(range(2, 102))
    # What grows is the one thing kept per organisation: its id, by name and country (measured:
    # 2.6 times for ten times the rows, about 200 bytes an organisation).
    assert large < 4 * small, (small, large)


def test_writing_a_file_ten_times_larger_takes_far_less_than_ten_times_the_memory() -> None:
    peak_of_import(20, dry_run=False)
    small, _result = peak_of_import(100, dry_run=False)
    large, result = peak_of_import(1_000, dry_run=False)

    assert (result.created, Label.objects.filter(organisation__name__startswith="Memory 1000").count()) == (1000, 1000)
    # Measured: 1.25 times for ten times the rows (the same dictionary of organisations; the
    # labels, organisations and history rows of one batch at a time).
    assert large < 2 * small, (small, large)
