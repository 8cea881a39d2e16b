"""The allowed moves of an invoice's state and who may make each: data, not code.

A payment moves an invoice to partly paid or paid; the daily sweep marks an
unpaid invoice overdue after its due date; a credit note credits it. Credit
notes themselves stay issued: they are settled outside the portal.
"""

from __future__ import annotations

from billing.enums import InvoiceState as S
from common.workflow import Move

MOVES: dict[tuple[str, str], Move] = {
    (S.ISSUED, S.PARTLY_PAID): Move("billing.record_payment"),
    (S.ISSUED, S.PAID): Move("billing.record_payment"),
    (S.PARTLY_PAID, S.PAID): Move("billing.record_payment"),
    (S.OVERDUE, S.PARTLY_PAID): Move("billing.record_payment"),
    (S.OVERDUE, S.PAID): Move("billing.record_payment"),
    (S.ISSUED, S.OVERDUE): Move("billing.mark_overdue"),
    (S.PARTLY_PAID, S.OVERDUE): Move("billing.mark_overdue"),
    **{
        (state, S.CREDITED): Move("billing.credit_invoice", note_required=True)
        for state in (S.ISSUED, S.PARTLY_PAID, S.OVERDUE)
    },
}
