"""Who may do what with applications (django-rules predicates)."""

from __future__ import annotations

import rules

from accounts.rules import is_label_office
from assessments.enums import ApplicationState
from clusters.rules import is_manager_of_cluster, is_member_of_cluster


@rules.predicate
def is_member_of_applicant(user: object, application: object) -> bool:
    return application is not None and is_member_of_cluster(user, application.organisation)  # type: ignore[attr-defined]


@rules.predicate
def is_manager_of_applicant(user: object, application: object) -> bool:
    return application is not None and is_manager_of_cluster(user, application.organisation)  # type: ignore[attr-defined]


@rules.predicate
def is_draft(user: object, application: object) -> bool:
    return getattr(application, "state", None) == ApplicationState.DRAFT


rules.add_perm("assessments.start_application", is_manager_of_cluster)
rules.add_perm("assessments.view_application", is_member_of_applicant | is_label_office)
rules.add_perm("assessments.edit_answers", is_member_of_applicant & is_draft)
rules.add_perm("assessments.submit_application", is_manager_of_applicant & is_draft)
rules.add_perm("assessments.withdraw_application", is_manager_of_applicant)
