"""The PDF of an invoice or credit note: PDF/A-3 with its EN 16931 XML inside (Factur-X).

Rendered by the worker (``render_invoice_pdf``), never in a request. An issued
document never changes, so it is drawn once; a redelivered task finds the file
and returns.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from billing.einvoice import invoice_xml
from billing.models import Invoice
from billing.selectors import amount_paid
from common.pdf import facts_fingerprint, pdf_missing

PDF_TEMPLATE = "billing/invoice_pdf.html"


def invoice_context(invoice: Invoice) -> dict[str, Any]:
    sign = -1 if invoice.is_credit_note else 1
    return {
        "invoice": invoice,
        "lines": list(invoice.lines.all()),
        "seller": invoice.seller,
        "buyer": invoice.buyer,
        "sign": sign,
        "paid": amount_paid(invoice),
    }


def invoice_pdf_bytes(invoice: Invoice) -> bytes:
    """The PDF/A-3b drawn by WeasyPrint, with the Factur-X XML attached by the factur-x library
    (checked against the EN16931 XSD it ships before it is attached)."""
    # Imported here on purpose (as in common.pdf): WeasyPrint is costly to load and only workers draw.
    from facturx import generate_from_binary
    from weasyprint import HTML

    from common.pdf_fetcher import PortalURLFetcher, static_base_url

    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(PDF_TEMPLATE, invoice_context(invoice))
    pdf = HTML(string=html, base_url=static_base_url(), url_fetcher=PortalURLFetcher()).write_pdf(
        pdf_variant="pdf/a-3b"
    )
    return bytes(
        generate_from_binary(
            pdf,
            invoice_xml(invoice),
            flavor="factur-x",
            level="en16931",
            check_xsd=True,
            lang="en",
            pdf_metadata={
                "author": invoice.seller["name"],
                "keywords": "Factur-X, EN 16931",
                "title": f"{invoice.get_kind_display()} {invoice.number}",
                "subject": f"{invoice.get_kind_display()} {invoice.number}",
            },
        )
    )


def invoice_pdf_render(*, invoice: Invoice) -> bool:
    """Draw and store the document's PDF unless it exists. Returns whether it drew.

    Side effects: a file in the private storage; the row's file and fingerprint.
    """
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if not pdf_missing(invoice.pdf):
            return False
        fingerprint = facts_fingerprint({"number": invoice.number}, template=PDF_TEMPLATE)
        invoice.pdf.save(f"{invoice.number}.pdf", ContentFile(invoice_pdf_bytes(invoice)), save=False)
        invoice.pdf_fingerprint = fingerprint
        invoice.save(update_fields=["pdf", "pdf_fingerprint"])
    return True


@shared_task(
    name="billing.render_invoice_pdf",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def render_invoice_pdf(invoice_id: int) -> None:
    """Render an invoice's or credit note's PDF. Quiet if it is gone; idempotent."""
    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is None:
        return
    invoice_pdf_render(invoice=invoice)


def invoice_pdf_queue(invoice: Invoice) -> None:
    """Queue the rendering after the issuing transaction commits."""
    invoice_id = invoice.pk
    transaction.on_commit(lambda: render_invoice_pdf.delay(invoice_id))
