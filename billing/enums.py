"""The vocabulary of billing: kinds of service, payers, documents and their states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceKind(models.TextChoices):
    NEW = "new", _("new")
    RENEWAL = "renewal", _("renewal")


class Delivery(models.TextChoices):
    """How the interview or visit is held: Bronze costs less by video."""

    ANY = "any", _("any")
    VIDEO = "video", _("by video")
    ON_SITE = "on_site", _("on site")


class PayerKind(models.TextChoices):
    ORGANISATION = "organisation", _("the organisation")
    PARTNER = "partner", _("a national partner")
    PROGRAMME = "programme", _("a programme")


class DocumentKind(models.TextChoices):
    INVOICE = "invoice", _("invoice")
    CREDIT_NOTE = "credit_note", _("credit note")


class InvoiceState(models.TextChoices):
    ISSUED = "issued", _("issued")
    PARTLY_PAID = "partly_paid", _("partly paid")
    PAID = "paid", _("paid")
    OVERDUE = "overdue", _("overdue")
    CREDITED = "credited", _("credited")


OPEN_STATES = (InvoiceState.ISSUED, InvoiceState.PARTLY_PAID, InvoiceState.OVERDUE)
