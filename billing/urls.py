from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("office/", views.office_invoices, name="office_invoices"),
    path("mine/", views.my_billing, name="my_billing"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/factur-x.xml", views.invoice_einvoice, name="invoice_xml"),
    path("invoices/<int:pk>/payments/", views.payment_record, name="payment_record"),
    path("invoices/<int:pk>/credit-note/", views.credit_note_issue, name="credit_note"),
    path("cases/<int:pk>/invoice/", views.invoice_issue, name="invoice_issue"),
    path("cases/<int:pk>/payer/", views.case_payer, name="case_payer"),
    path("experts/fees.csv", views.expert_fees, name="expert_fees"),
    path("experts/statement/", views.fee_statement, name="fee_statement"),
    path("prices/", views.prices, name="prices"),
    path("cases/<int:pk>/delivery/", views.quote_delivery, name="quote_delivery"),
]
