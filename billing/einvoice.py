"""The EN 16931 e-invoice of an invoice or credit note: Factur-X (CII), profile EN16931.

Built from the invoice's own snapshot (seller, buyer, lines, VAT), so the XML
says what the PDF says. A credit note is type 381 with positive amounts and
references the invoice it credits. Category O ("not subject to VAT") carries
no VAT identifiers, as EN 16931 rule BR-O-02 asks.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from lxml import etree

from billing.models import Invoice

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
PROFILE_EN16931 = "urn:cen.eu:en16931:2017"
TYPE_INVOICE = "380"
TYPE_CREDIT_NOTE = "381"
# SEPA credit transfer (UNTDID 4461).
PAYMENT_MEANS_CREDIT_TRANSFER = "58"


def _el(parent: Any, tag: str, text: str | None = None, **attributes: str) -> Any:
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NS[prefix]}}}{name}", **attributes)
    if text is not None:
        element.text = text
    return element


def _date(parent: Any, tag: str, day: date) -> None:
    _el(_el(parent, tag), "udt:DateTimeString", day.strftime("%Y%m%d"), format="102")


def _amount(value: Decimal, sign: int) -> str:
    signed = value * sign
    # Decimal keeps the sign of zero: a credit note's "-0.00" VAT reads as not zero to a
    # schematron comparing text (BR-O-09).
    return f"{signed if signed else abs(signed):.2f}"


def _party(parent: Any, tag: str, party: dict[str, Any], *, with_vat_id: bool) -> None:
    node = _el(parent, tag)
    _el(node, "ram:Name", party["name"])
    if party.get("registration"):
        _el(_el(node, "ram:SpecifiedLegalOrganization"), "ram:ID", party["registration"])
    address = _el(node, "ram:PostalTradeAddress")
    if party.get("postcode"):
        _el(address, "ram:PostcodeCode", party["postcode"])
    _el(address, "ram:LineOne", party["street"])
    _el(address, "ram:CityName", party["city"])
    _el(address, "ram:CountryID", party["country"])
    if party.get("email"):
        _el(_el(node, "ram:URIUniversalCommunication"), "ram:URIID", party["email"], schemeID="EM")
    if with_vat_id and party.get("vat_number"):
        _el(_el(node, "ram:SpecifiedTaxRegistration"), "ram:ID", party["vat_number"], schemeID="VA")


def _tax(parent: Any, invoice: Invoice, *, calculated: str | None, basis: str | None) -> None:
    tax = _el(parent, "ram:ApplicableTradeTax")
    if calculated is not None:
        _el(tax, "ram:CalculatedAmount", calculated)
    _el(tax, "ram:TypeCode", "VAT")
    if calculated is not None and invoice.vat_category != "S" and invoice.vat_note:
        _el(tax, "ram:ExemptionReason", invoice.vat_note)
    if basis is not None:
        _el(tax, "ram:BasisAmount", basis)
    _el(tax, "ram:CategoryCode", invoice.vat_category)
    if invoice.vat_category != "O":
        _el(tax, "ram:RateApplicablePercent", f"{invoice.vat_rate:.2f}")


def invoice_xml(invoice: Invoice) -> bytes:
    """The Factur-X EN16931 XML of ``invoice`` (UTF-8 bytes)."""
    sign = -1 if invoice.is_credit_note else 1
    with_vat_ids = invoice.vat_category != "O"
    root = etree.Element(f"{{{NS['rsm']}}}CrossIndustryInvoice", nsmap=NS)
    context = _el(root, "rsm:ExchangedDocumentContext")
    _el(_el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", PROFILE_EN16931)

    document = _el(root, "rsm:ExchangedDocument")
    _el(document, "ram:ID", invoice.number)
    _el(document, "ram:TypeCode", TYPE_CREDIT_NOTE if invoice.is_credit_note else TYPE_INVOICE)
    _date(document, "ram:IssueDateTime", invoice.issued_on)
    if invoice.vat_note:
        _el(_el(document, "ram:IncludedNote"), "ram:Content", invoice.vat_note)

    transaction = _el(root, "rsm:SupplyChainTradeTransaction")
    for line in invoice.lines.all():
        item = _el(transaction, "ram:IncludedSupplyChainTradeLineItem")
        _el(_el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(line.position))
        _el(_el(item, "ram:SpecifiedTradeProduct"), "ram:Name", line.description)
        agreement = _el(item, "ram:SpecifiedLineTradeAgreement")
        _el(_el(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", f"{line.unit_price:.2f}")
        _el(
            _el(item, "ram:SpecifiedLineTradeDelivery"),
            "ram:BilledQuantity",
            f"{line.quantity * sign:.2f}",
            unitCode="C62",
        )
        settlement = _el(item, "ram:SpecifiedLineTradeSettlement")
        _tax(settlement, invoice, calculated=None, basis=None)
        summation = _el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
        _el(summation, "ram:LineTotalAmount", _amount(line.net_amount, sign))

    agreement = _el(transaction, "ram:ApplicableHeaderTradeAgreement")
    _party(agreement, "ram:SellerTradeParty", invoice.seller, with_vat_id=with_vat_ids)
    _party(agreement, "ram:BuyerTradeParty", invoice.buyer, with_vat_id=with_vat_ids)

    delivery = _el(transaction, "ram:ApplicableHeaderTradeDelivery")
    _date(_el(delivery, "ram:ActualDeliverySupplyChainEvent"), "ram:OccurrenceDateTime", invoice.supplied_on)

    settlement = _el(transaction, "ram:ApplicableHeaderTradeSettlement")
    _el(settlement, "ram:PaymentReference", invoice.number)
    _el(settlement, "ram:InvoiceCurrencyCode", invoice.currency)
    means = _el(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
    _el(means, "ram:TypeCode", PAYMENT_MEANS_CREDIT_TRANSFER)
    _el(_el(means, "ram:PayeePartyCreditorFinancialAccount"), "ram:IBANID", invoice.seller["iban"])
    _tax(
        settlement,
        invoice,
        calculated=_amount(invoice.vat_total, sign),
        basis=_amount(invoice.net_total, sign),
    )
    terms = _el(settlement, "ram:SpecifiedTradePaymentTerms")
    _date(terms, "ram:DueDateDateTime", invoice.due_on)
    totals = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(totals, "ram:LineTotalAmount", _amount(invoice.net_total, sign))
    _el(totals, "ram:TaxBasisTotalAmount", _amount(invoice.net_total, sign))
    _el(totals, "ram:TaxTotalAmount", _amount(invoice.vat_total, sign), currencyID=invoice.currency)
    _el(totals, "ram:GrandTotalAmount", _amount(invoice.gross_total, sign))
    _el(totals, "ram:DuePayableAmount", _amount(invoice.gross_total, sign))
    if invoice.credits is not None:
        referenced = _el(settlement, "ram:InvoiceReferencedDocument")
        _el(referenced, "ram:IssuerAssignedID", invoice.credits.number)
        issued = _el(referenced, "ram:FormattedIssueDateTime")
        _el(issued, "qdt:DateTimeString", invoice.credits.issued_on.strftime("%Y%m%d"), format="102")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
