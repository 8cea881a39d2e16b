"""Concurrent issuing on PostgreSQL never skips or repeats a number (issue #22).

Eight threads, each with its own connection, issue eight cases' invoices at
the same moment (a barrier), some of them failing after taking their number
(a rollback must hand the number back). The year's numbers are then 1..n with
no gap and no repeat: the counter row's lock serialises them, and the unique
constraint would refuse a repeat.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection, transaction

from billing.models import Invoice, InvoiceCounter
from billing.services import invoice_issue
from tests.assessments.conftest import ELIGIBLE
from tests.billing.conftest import start_case
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
THREADS = 8
DAY = date(2026, 5, 4)


class Rollback(Exception):
    pass


def test_concurrent_issuing_numbers_every_invoice_once_without_gaps(
    postgres: None, office, versions, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The numbers are the point, not the PDFs: a worker drawing them would still hold the test
    # database while the transactional test flushes it (a deadlock on teardown).
    monkeypatch.setattr("billing.documents.render_invoice_pdf.delay", lambda *args, **kwargs: None)
    cases = [start_case(OrganisationFactory(**ELIGIBLE)) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def issue(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                invoice_issue(application=cases[index], by=office, today=DAY)
                if index % 3 == 0:  # fails after taking its number: the number goes back
                    raise Rollback
        except Rollback:
            pass
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    issued = THREADS - len([i for i in range(THREADS) if i % 3 == 0])
    sequences = sorted(Invoice.objects.filter(year=2026).values_list("sequence", flat=True))
    assert sequences == list(range(1, issued + 1))
    assert InvoiceCounter.objects.get(year=2026).last == issued
