from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from accounts.start_pages import Panel, register_panel
        from assessments.providers import (
            register_assignment_check,
            register_case_panel,
            register_start_hook,
            register_submit_hook,
            register_withdraw_hook,
        )
        from billing import hooks

        # A case's quote is written when it starts, priced on that day.
        register_start_hook("billing", hooks.quote_on_start)
        # The invoice goes out at submission when the configuration says so.
        register_submit_hook("billing", hooks.invoice_on_submission)
        # A withdrawn case's open invoice is credited by the system.
        register_withdraw_hook("billing", hooks.credit_on_withdrawal)
        # The office may require payment before assessors are assigned (a setting).
        register_assignment_check("billing", hooks.payment_blocker)
        register_case_panel("billing", "billing/panels/case_billing.html", hooks.case_panel)
        for role in ("manager", "partner"):
            register_panel(Panel(role, "billing/panels/own_billing.html", hooks.no_context, 40))
        # An expert's own statement of fees, month by month.
        register_panel(Panel("assessor", "billing/panels/expert_fees.html", hooks.no_context, 40))
