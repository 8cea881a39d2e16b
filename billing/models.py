"""Prices, payers, quotes, invoices, credit notes, payments and payment reminders.

Money is ``Decimal`` with two places and a currency; every amount on a quote or
an invoice is a snapshot taken when it was written, so a later price or VAT
change never alters it. An issued invoice is never changed: corrections are
credit notes that reference it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country, CountryField

from billing.enums import Delivery, DocumentKind, InvoiceState, PayerKind, ServiceKind
from common.enums import Level
from common.files import private_storage


class PriceEntry(models.Model):
    """The net price of one service from a day on; the newest started entry applies."""

    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    kind = models.CharField(_("new or renewal"), max_length=10, choices=ServiceKind.choices)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.ANY)
    amount = models.DecimalField(_("net amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    valid_from = models.DateField(_("valid from"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["level", "kind", "delivery", "-valid_from"]
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        constraints = [
            models.UniqueConstraint(
                fields=["level", "kind", "delivery", "valid_from"], name="billing_one_price_per_service_and_day"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="billing_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.get_kind_display()} {self.get_delivery_display()}: {self.amount}"


class Payer(models.Model):
    """Who pays: the organisation itself, or a sponsor with its own billing details."""

    kind = models.CharField(_("kind"), max_length=16, choices=PayerKind.choices)
    organisation = models.ForeignKey(
        "clusters.ClusterOrganisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payers",
        verbose_name=_("organisation"),
    )
    partner = models.ForeignKey(
        "clusters.NationalPartner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payers",
        verbose_name=_("national partner"),
    )
    name = models.CharField(_("billing name"), max_length=250)
    street = models.CharField(_("street"), max_length=250)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=120)
    # Typed by hand (as on ClusterOrganisation): the descriptor gives a Country.
    country: models.Field[Country | str, Country] = CountryField(_("country"))
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    is_business = models.BooleanField(
        _("business"), default=True, help_text=_("Non-business buyers pay German VAT wherever they are.")
    )
    email = models.EmailField(_("invoice e-mail"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("payer")
        verbose_name_plural = _("payers")

    def __str__(self) -> str:
        return f"{self.name} ({self.country.code})"


class Quote(models.Model):
    """What a case costs, priced on the day it started; the invoice copies it."""

    application = models.OneToOneField(
        "assessments.Application", on_delete=models.PROTECT, related_name="quote", verbose_name=_("application")
    )
    payer = models.ForeignKey(
        Payer, on_delete=models.PROTECT, null=True, blank=True, related_name="quotes", verbose_name=_("payer")
    )
    kind = models.CharField(_("new or renewal"), max_length=10, choices=ServiceKind.choices)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.ANY)
    description = models.CharField(_("description"), max_length=250)
    net_amount = models.DecimalField(_("net amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    priced_on = models.DateField(
        _("priced on"), help_text=_("The day the case started: its price is the one valid then.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")

    def __str__(self) -> str:
        return f"{self.description}: {self.net_amount} {self.currency}"


class InvoiceCounter(models.Model):
    """The last number issued in a year: locked by each issue, so numbers never skip or repeat."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("invoice counter")
        verbose_name_plural = _("invoice counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


def invoice_pdf_path(instance: Invoice, filename: str) -> str:
    return f"invoices/{instance.year}/{filename}"


class Invoice(models.Model):
    """An invoice or a credit note as issued: every figure and both parties are copied in."""

    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices, default=DocumentKind.INVOICE)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("number"), max_length=20, unique=True)
    credits = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_note",
        verbose_name=_("credits invoice"),
    )
    application = models.ForeignKey(
        "assessments.Application", on_delete=models.PROTECT, related_name="invoices", verbose_name=_("application")
    )
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("payer"))
    buyer = models.JSONField(_("buyer as invoiced"))
    seller = models.JSONField(_("seller as invoiced"))
    issued_on = models.DateField(_("invoice date"))
    supplied_on = models.DateField(_("date of supply"))
    due_on = models.DateField(_("due on"))
    currency = models.CharField(_("currency"), max_length=3)
    vat_rule = models.CharField(_("VAT rule"), max_length=32)
    vat_category = models.CharField(_("VAT category"), max_length=2)
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=5, decimal_places=2)
    vat_note = models.CharField(_("VAT wording"), max_length=250, blank=True)
    net_total = models.DecimalField(_("net total"), max_digits=12, decimal_places=2)
    vat_total = models.DecimalField(_("VAT total"), max_digits=12, decimal_places=2)
    gross_total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    state = models.CharField(_("state"), max_length=16, choices=InvoiceState.choices, default=InvoiceState.ISSUED)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("issued by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    pdf = models.FileField(_("PDF"), upload_to=invoice_pdf_path, storage=private_storage, blank=True)
    pdf_fingerprint = models.CharField(_("PDF fingerprint"), max_length=64, blank=True)

    class Meta:
        ordering = ["-year", "-sequence"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="billing_invoice_number_unique_per_year"),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(kind=DocumentKind.INVOICE) & ~Q(state=InvoiceState.CREDITED),
                name="billing_one_live_invoice_per_case",
            ),
            models.CheckConstraint(
                condition=Q(kind=DocumentKind.INVOICE, credits__isnull=True)
                | Q(kind=DocumentKind.CREDIT_NOTE, credits__isnull=False),
                name="billing_credit_note_references_invoice",
            ),
        ]
        indexes = [models.Index(fields=["state", "due_on"], name="billing_invoice_state_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_credit_note(self) -> bool:
        return self.kind == DocumentKind.CREDIT_NOTE


class InvoiceLine(models.Model):
    """One line, rounded on its own (net and VAT to the cent, half up)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines", verbose_name=_("invoice"))
    position = models.PositiveSmallIntegerField(_("position"))
    description = models.CharField(_("description"), max_length=250)
    quantity = models.DecimalField(_("quantity"), max_digits=9, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    net_amount = models.DecimalField(_("net amount"), max_digits=12, decimal_places=2)
    vat_amount = models.DecimalField(_("VAT amount"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["invoice", "position"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [models.UniqueConstraint(fields=["invoice", "position"], name="billing_line_position_unique")]

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"


class Payment(models.Model):
    """Money received against an invoice (part payments add up)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments", verbose_name=_("invoice"))
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reference = models.CharField(_("reference"), max_length=140)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["invoice", "paid_on", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="billing_payment_positive")]

    def __str__(self) -> str:
        return f"{self.invoice.number}: {self.amount} ({self.paid_on})"


class PaymentReminder(models.Model):
    """A payment reminder sent for an overdue invoice: one row per (invoice, offset), so each goes once."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="reminders", verbose_name=_("invoice"))
    days_after_due = models.PositiveSmallIntegerField(_("days after due date"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["invoice", "days_after_due"]
        verbose_name = _("payment reminder")
        verbose_name_plural = _("payment reminders")
        constraints = [
            models.UniqueConstraint(fields=["invoice", "days_after_due"], name="billing_reminder_once_per_offset")
        ]

    def __str__(self) -> str:
        return f"{self.invoice.number} +{self.days_after_due}"
