"""Billing in the admin: read only. Prices, payers and documents are written by the
portal's services (with their history); an issued invoice never changes."""

from __future__ import annotations

from django.contrib import admin

from billing.models import Invoice, InvoiceCounter, InvoiceLine, Payer, Payment, PaymentReminder, PriceEntry, Quote
from common.admin import RecordAdmin, RecordInline


@admin.register(PriceEntry)
class PriceEntryAdmin(RecordAdmin):
    list_display = ["level", "kind", "delivery", "amount", "currency", "valid_from"]
    list_filter = ["level", "kind", "delivery"]
    search_fields = ["level", "kind"]


@admin.register(Payer)
class PayerAdmin(RecordAdmin):
    list_display = ["name", "kind", "country", "vat_number"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "vat_number"]


@admin.register(Quote)
class QuoteAdmin(RecordAdmin):
    list_display = ["application", "description", "net_amount", "currency", "priced_on"]
    list_filter = ["kind", "delivery"]
    search_fields = ["description", "application__organisation__name"]


@admin.register(InvoiceCounter)
class InvoiceCounterAdmin(RecordAdmin):
    list_display = ["year", "last"]
    list_filter = ["year"]
    search_fields = ["year"]


class InvoiceLineInline(RecordInline):
    model = InvoiceLine
    fields = ["position", "description", "quantity", "unit_price", "net_amount", "vat_amount"]


class PaymentInline(RecordInline):
    model = Payment
    fields = ["paid_on", "amount", "reference", "recorded_by"]


@admin.register(Invoice)
class InvoiceAdmin(RecordAdmin):
    list_display = ["number", "kind", "payer", "gross_total", "currency", "state", "issued_on", "due_on"]
    list_filter = ["kind", "state", "vat_rule", "year"]
    search_fields = ["number", "payer__name", "application__organisation__name"]
    inlines = [InvoiceLineInline, PaymentInline]


@admin.register(InvoiceLine)
class InvoiceLineAdmin(RecordAdmin):
    list_display = ["invoice", "position", "description", "net_amount", "vat_amount"]
    list_filter = ["invoice__kind"]
    search_fields = ["invoice__number", "description"]


@admin.register(Payment)
class PaymentAdmin(RecordAdmin):
    list_display = ["invoice", "paid_on", "amount", "reference"]
    list_filter = ["paid_on"]
    search_fields = ["invoice__number", "reference"]


@admin.register(PaymentReminder)
class PaymentReminderAdmin(RecordAdmin):
    list_display = ["invoice", "days_after_due", "sent_at"]
    list_filter = ["days_after_due"]
    search_fields = ["invoice__number"]
