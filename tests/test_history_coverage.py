"""Every service that writes leaves a row in the one history (common.ActivityLog).

Read from the services' own source: a public service whose body writes to the
database must call the history (``history_record``, ``history_record_many``)
or a service that does (the doors, ``label_event_record``, the chain writer).
A new writing service without it fails here, unless it is listed below with
the reason it keeps no history.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from types import ModuleType

import pytest

from accounts import services as account_services
from assessments.questionnaires import services as questionnaire_services
from assessments.services import applications, assessing
from billing import services as billing_services
from clusters import names as cluster_names
from clusters import people as cluster_people
from clusters import services as cluster_services
from labels import decisions
from labels import services as label_services
from labels.certificates import language
from labels.imports import service as label_imports
from privacy import erasure as privacy_erasure
from privacy import exports as privacy_exports
from privacy import retention as privacy_retention

MODULES: tuple[ModuleType, ...] = (
    account_services,
    questionnaire_services,
    applications,
    assessing,
    cluster_services,
    cluster_people,
    cluster_names,
    decisions,
    label_services,
    language,
    label_imports,
    privacy_exports,
    privacy_erasure,
    privacy_retention,
    billing_services,
)
WRITES = re.compile(r"\.(save|create\w*|delete|update\w*|bulk_\w+|get_or_create|set)\(")
RECORDS = re.compile(
    r"\b(history_record|history_record_many|label_event_record|application_transition|organisation_transition"
    r"|chains_write|label_create|organisation_create|membership_add|version_create|scores_save)\("
)
# Writing services that keep no history of their own, and why.
WITHOUT_HISTORY: dict[str, str] = {
    "billing.services.public_prices_ensure": "the public price list, seeded by a migration and the demo where missing",
    "accounts.services.user_create": "an account row records its own creation (date_joined)",
    "accounts.services.user_signup": "the account row and its confirmation date are the record",
    "accounts.services.user_confirm_email": "the account row keeps the confirmation date",
    "accounts.services.user_update_profile": "a person's own name and language: theirs, not the scheme's record",
    "accounts.services.user_set_language": "a person's own language: theirs, not the scheme's record",
    "accounts.services.assessor_profile_set": "set by the demo and by superusers in the admin",
    "clusters.services.partner_create": "set up by the demo and by superusers in the admin",
    "clusters.services.partner_staff_add": "set up by the demo and by superusers in the admin",
    "assessments.questionnaires.services.questionnaire_for_update": "the title, written with the version it imports",
    # A reported-question mark: the notification sent is its record.
    "assessments.services.assessing.overdue_clarifications_notify": "a mark; the notification is the record",
}


def public_services() -> list[tuple[str, Callable[..., object]]]:
    found: list[tuple[str, Callable[..., object]]] = []
    for module in MODULES:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                found.append((f"{module.__name__}.{name}", function))
    return found


@pytest.mark.parametrize(("name", "function"), public_services(), ids=[name for name, _f in public_services()])
def test_every_writing_service_leaves_a_history_row(name: str, function: Callable[..., object]) -> None:
    source = inspect.getsource(inspect.unwrap(function))
    writes = bool(WRITES.search(source))

    if name in WITHOUT_HISTORY:
        assert writes, f"{name} is listed as writing without history but writes nothing: take it off the list"
        return
    assert not writes or RECORDS.search(source), f"{name} writes without adding to the history"


def test_the_exemptions_name_services_that_exist() -> None:
    assert set(WITHOUT_HISTORY) <= {name for name, _function in public_services()}
