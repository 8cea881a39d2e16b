"""Who may do what with quotes, invoices and payments (django-rules predicates).

The office issues, records payments and credits; a manager reads his
organisation's quotes, invoices and payments; a national partner's staff read
what their partner pays for, and may name their partner as a case's payer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import rules

from accounts.rules import is_label_office
from clusters.rules import is_cluster_manager, is_manager_of_cluster, is_partner_for_country, is_partner_staff

if TYPE_CHECKING:
    from assessments.models import Application
    from billing.models import Invoice


def _partner_ids(user: Any) -> set[int]:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return set()
    return set(user.partner_staff.values_list("partner_id", flat=True))


@rules.predicate
def is_manager_of_billed(user: object, invoice: Invoice | None) -> bool:
    return invoice is not None and is_manager_of_cluster(user, invoice.application.organisation)


@rules.predicate
def is_sponsor_of_billed(user: object, invoice: Invoice | None) -> bool:
    """The invoice is addressed to a national partner this person works for."""
    return invoice is not None and invoice.payer.partner_id in _partner_ids(user)


@rules.predicate
def is_partner_for_case(user: object, application: Application | None) -> bool:
    return application is not None and is_partner_for_country(user, application.organisation)


@rules.predicate
def is_manager_of_case(user: object, application: Application | None) -> bool:
    return application is not None and is_manager_of_cluster(user, application.organisation)


rules.add_perm("billing.view_office_invoices", is_label_office)
rules.add_perm("billing.manage_prices", is_label_office)
rules.add_perm("billing.issue_invoice", is_label_office)
rules.add_perm("billing.record_payment", is_label_office)
rules.add_perm("billing.credit_invoice", is_label_office)
# Only the daily sweep marks an invoice overdue (the system needs no permission);
# the office holds it so the move has an owner in the table.
rules.add_perm("billing.mark_overdue", is_label_office)
rules.add_perm("billing.view_invoice", is_label_office | is_manager_of_billed | is_sponsor_of_billed)
rules.add_perm("billing.view_case_billing", is_label_office | is_manager_of_case | is_partner_for_case)
# The office or the case's national partner names who pays (a sponsor).
rules.add_perm("billing.set_payer", is_label_office | is_partner_for_case)
rules.add_perm("billing.view_own_billing", is_cluster_manager | is_partner_staff)
rules.add_perm("billing.view_expert_fees", is_label_office)
