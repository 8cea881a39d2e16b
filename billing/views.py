"""Billing pages: the office's open invoices (and their CSV), a document and its
payments, issuing, payments, credit notes, who pays, and a manager's or
partner's own quotes and invoices. Views translate HTTP only; services decide."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from assessments.models import Application
from billing import selectors, services
from billing.einvoice import invoice_xml
from billing.enums import PayerKind
from billing.fees import STATEMENT_COLUMNS, FeeLine, expert_statement, statement_pdf, statement_total
from billing.forms import CreditNoteForm, DeliveryForm, PayerForm, PaymentForm, PriceForm
from billing.models import Invoice, Payment, PriceEntry, Quote
from common.actions import refusable
from common.csv_export import csv_response
from common.errors import ActionRefused
from common.http import AuthenticatedHttpRequest
from common.permissions import permission_required

OPEN_COLUMNS = [
    "number",
    "issued_on",
    "due_on",
    "state",
    "payer",
    "payer_country",
    "organisation",
    "net",
    "vat",
    "total",
    "paid",
    "currency",
]


def _document_for(request: AuthenticatedHttpRequest, pk: int) -> Invoice:
    return get_object_or_404(selectors.documents_for(request.user), pk=pk)


def _case_for(request: AuthenticatedHttpRequest, pk: int) -> Application:
    """A case whose billing the person may read (its national partner too), else 404."""
    application = get_object_or_404(Application.objects.select_related("organisation"), pk=pk)
    if not request.user.has_perm("billing.view_case_billing", application):
        raise Http404
    return application


@permission_required("billing.view_office_invoices")
def office_invoices(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Open and overdue invoices, the overdue first; ``?format=csv`` for accounting."""
    invoices = selectors.open_invoices()
    if request.GET.get("format") == "csv":
        rows = (
            [
                i.number,
                i.issued_on.isoformat(),
                i.due_on.isoformat(),
                i.state,
                i.payer.name,
                i.buyer.get("country", ""),
                i.application.organisation.name,
                f"{i.net_total:.2f}",
                f"{i.vat_total:.2f}",
                f"{i.gross_total:.2f}",
                f"{i.paid:.2f}",  # type: ignore[attr-defined]  # annotated by open_invoices
                i.currency,
            ]
            for i in invoices
        )
        return csv_response(filename="open-invoices.csv", header=OPEN_COLUMNS, rows=rows)
    return render(request, "billing/office_invoices.html", {"invoices": invoices})


@permission_required("billing.view_own_billing")
def my_billing(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A manager's organisations' or a partner's sponsored quotes, invoices and payments."""
    user = request.user
    documents = selectors.documents_for(user).order_by("-year", "-sequence")
    payments = Payment.objects.filter(invoice__in=documents.values("pk")).select_related("invoice")
    return render(
        request,
        "billing/my_billing.html",
        {
            "quotes": selectors.quotes_for(user),
            "documents": documents,
            "payments": payments,
            "to_sponsor": selectors.cases_to_sponsor(user),
        },
    )


@login_required
def invoice_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invoice = _document_for(request, pk)
    user = request.user
    return render(
        request,
        "billing/invoice_detail.html",
        {
            "invoice": invoice,
            "lines": invoice.lines.all(),
            "payments": invoice.payments.all(),
            "paid": selectors.amount_paid(invoice),
            "payment_form": PaymentForm(initial={"paid_on": timezone.localdate()})
            if user.has_perm("billing.record_payment", invoice)
            else None,
            "credit_form": CreditNoteForm() if user.has_perm("billing.credit_invoice", invoice) else None,
        },
    )


@login_required
def invoice_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The PDF/A-3 with its Factur-X XML; 202 while the worker draws it."""
    invoice = _document_for(request, pk)
    if not invoice.pdf:
        return render(request, "billing/pdf_pending.html", {"invoice": invoice}, status=202)
    return FileResponse(
        invoice.pdf.open("rb"), as_attachment=True, content_type="application/pdf", filename=f"{invoice.number}.pdf"
    )


@login_required
def invoice_einvoice(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The EN 16931 XML alone, for software that takes no PDF."""
    invoice = _document_for(request, pk)
    response = HttpResponse(invoice_xml(invoice), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}-factur-x.xml"'
    return response


@login_required
@require_POST
def invoice_issue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = _case_for(request, pk)
    refusable(
        request,
        lambda: services.invoice_issue(application=application, by=request.user),
        _("The invoice is issued; its PDF is being prepared."),
    )
    return redirect("assessments:application_detail", pk=application.pk)


@login_required
@require_POST
def payment_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invoice = _document_for(request, pk)
    if not request.user.has_perm("billing.record_payment", invoice):
        raise PermissionDenied
    form = PaymentForm(request.POST)
    if form.is_valid():
        refusable(
            request,
            lambda: services.payment_record(invoice=invoice, by=request.user, **form.cleaned_data),
            _("The payment is recorded."),
        )
    else:
        refusable(request, lambda: _refuse(form), "")
    return redirect("billing:invoice", pk=invoice.pk)


@login_required
@require_POST
def credit_note_issue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invoice = _document_for(request, pk)
    if not request.user.has_perm("billing.credit_invoice", invoice):
        raise PermissionDenied
    form = CreditNoteForm(request.POST)
    note = None
    if form.is_valid():

        def issue() -> None:
            nonlocal note
            note = services.credit_note_issue(invoice=invoice, by=request.user, reason=form.cleaned_data["reason"])

        refusable(request, issue, _("The credit note is issued."))
    else:
        refusable(request, lambda: _refuse(form), "")
    return redirect("billing:invoice", pk=note.pk if note else invoice.pk)


def _refuse(form: PaymentForm | CreditNoteForm) -> None:
    raise ActionRefused(" ".join(str(e) for errors in form.errors.values() for e in errors))


@login_required
@require_http_methods(["GET", "POST"])
def case_payer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The office or the case's national partner names who pays, with billing details."""
    application = _case_for(request, pk)
    if not request.user.has_perm("billing.set_payer", application):
        raise PermissionDenied
    form = PayerForm(request.POST or None, initial={"kind": PayerKind.PARTNER, "is_business": True})
    if (
        request.method == "POST"
        and form.is_valid()
        and refusable(
            request,
            lambda: services.payer_set(application=application, by=request.user, **form.cleaned_data),
            _("Who pays is recorded."),
        )
    ):
        return redirect("assessments:application_detail", pk=application.pk)
    return render(request, "billing/case_payer.html", {"application": application, "form": form})


def _statement_month(request: AuthenticatedHttpRequest) -> tuple[int, int]:
    """``?month=YYYY-MM``, by default the last month (a wrong value falls back to it)."""
    default = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    try:
        year, month = (int(part) for part in request.GET.get("month", default).split("-"))
        date(year, month, 1)
    except ValueError:
        year, month = (int(part) for part in default.split("-"))
    return year, month


@permission_required("billing.view_expert_fees")
def expert_fees(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Every expert's fees of a month (``?month=YYYY-MM``, default the last month), as CSV."""
    year, month = _statement_month(request)
    return _statement_csv(expert_statement(year=year, month=month), f"expert-fees-{year}-{month:02d}.csv")


@permission_required("billing.view_fee_statement")
def fee_statement(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """One expert's monthly statement: his own for an expert; any expert's (``?expert=<id>``) for the
    office. As a page, or ``?format=pdf`` / ``?format=csv``."""
    year, month = _statement_month(request)
    expert = _statement_expert(request)
    lines = expert_statement(year=year, month=month, expert=expert)
    name = f"fees-{expert.pk}-{year}-{month:02d}"
    if request.GET.get("format") == "csv":
        return _statement_csv(lines, f"{name}.csv")
    if request.GET.get("format") == "pdf":
        pdf = statement_pdf(expert=expert, year=year, month=month, lines=lines)
        return HttpResponse(
            pdf, content_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'}
        )
    return render(
        request,
        "billing/fee_statement.html",
        {
            "expert": expert,
            "month": date(year, month, 1),
            "month_value": f"{year}-{month:02d}",
            "lines": lines,
            "total": statement_total(lines),
            "currency": settings.BILLING["currency"],
            "for_office": request.user.has_perm("billing.view_expert_fees"),
        },
    )


def _statement_expert(request: AuthenticatedHttpRequest) -> User:
    """Whose statement: the office names any expert; anyone else reads only his own."""
    asked = request.GET.get("expert", "")
    if not asked or not request.user.has_perm("billing.view_expert_fees"):
        return request.user
    if not asked.isdigit():
        raise Http404
    return get_object_or_404(User, pk=int(asked), assessor_profile__isnull=False)


def _statement_csv(lines: list[FeeLine], filename: str) -> HttpResponseBase:
    currency = settings.BILLING["currency"]
    rows = (
        [
            line.expert.get_full_name(),
            line.expert.email,
            line.application_id,
            line.organisation,
            line.level,
            line.role,
            line.assessed_on.isoformat(),
            f"{line.fee:.2f}",
            currency,
        ]
        for line in lines
    )
    return csv_response(filename=filename, header=STATEMENT_COLUMNS, rows=rows)


@permission_required("billing.manage_prices")
@require_http_methods(["GET", "POST"])
def prices(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The price list with its history; a new price starts on its day (quotes and invoices keep theirs)."""
    form = PriceForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and refusable(
            request,
            lambda: services.price_set(by=request.user, **form.cleaned_data),
            _("The new price is recorded."),
        )
    ):
        return redirect("billing:prices")
    entries = PriceEntry.objects.order_by("level", "kind", "delivery", "-valid_from")
    return render(request, "billing/prices.html", {"form": form, "entries": entries})


@login_required
@require_POST
def quote_delivery(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The office records how a Bronze interview is held; the quote is priced again on its start day."""
    application = _case_for(request, pk)
    if not request.user.has_perm("billing.issue_invoice", application):
        raise PermissionDenied
    form = DeliveryForm(request.POST)
    quote = Quote.objects.filter(application=application).first()
    if form.is_valid() and quote is not None:
        refusable(
            request,
            lambda: services.quote_delivery_set(quote=quote, delivery=form.cleaned_data["delivery"], by=request.user),
            _("The quote is priced again."),
        )
    else:
        messages.error(request, _("Choose how the interview is held."))
    return redirect("assessments:application_detail", pk=application.pk)
