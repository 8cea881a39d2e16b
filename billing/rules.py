"""Who may do what with quotes, invoices and payments (django-rules predicates).

The office issues, records payments and credits; a national partner's staff
may name their partner as a case's payer. Who reads which invoice is one
scoping read, ``billing.selectors.documents_for`` (the office all, a manager
his organisations', a partner what it pays for), used by every page of a
document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import rules

from accounts.rules import is_assessor, is_label_office
from clusters.rules import is_cluster_manager, is_manager_of_cluster, is_partner_for_country, is_partner_staff

if TYPE_CHECKING:
    from assessments.models import Application


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
rules.add_perm("billing.view_case_billing", is_label_office | is_manager_of_case | is_partner_for_case)
# The office or the case's national partner names who pays (a sponsor).
rules.add_perm("billing.set_payer", is_label_office | is_partner_for_case)
rules.add_perm("billing.view_own_billing", is_cluster_manager | is_partner_staff)
rules.add_perm("billing.view_expert_fees", is_label_office)
# An expert reads his own monthly statement of fees; the office reads every expert's.
rules.add_perm("billing.view_fee_statement", is_assessor | is_label_office)
