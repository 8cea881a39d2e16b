"""The billing tasks the worker registers (autodiscovery reads this module)."""

from __future__ import annotations

from billing.documents import render_invoice_pdf
from billing.reminders import send_payment_reminders

__all__ = ["render_invoice_pdf", "send_payment_reminders"]
