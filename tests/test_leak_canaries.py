"""Leak canaries: nobody reads what is not theirs, on any page, export or PDF.

The access matrix's world (``tests/access_matrix_table.py``) gets a unique
marker in each thing a person may or may not see: answers, an assessor's score
comment, a question, file names, a waiver's reason, an invitation's address,
people's names and addresses, notifications. Then every page each role can
open (every GET cell of the matrix answered 200, and the CSV export of every
history page) is read as text (PDFs through ``pdftotext``) and searched for
the markers that role must not see.

Who must not see what is written here by hand, from the scheme's roles
(``../shared/DOMAIN.md``), not read from the code:

- an organisation's self-assessment (its answers and evidence): only its own
  people, the experts assigned to it and the label office read it; national
  partners track labels and validate profiles, they do not read assessments;
- an expert's scores and comments: the expert and the label office, never the
  applicant before the board decides, never another expert;
- a question to the organisation: its people, the assigned expert, the office;
- a Gold draft nobody was assigned to: its people and the office;
- a pending invitation's address: the organisation's manager (and the office);
- a person's name and address: their organisation, its country's partner and
  the office, and the people working with them on a case; never people of
  another organisation or country, unassigned experts, policy readers or
  anonymous visitors;
- a notification: only the person it was written to;
- a case's invoice and payments: its manager, the national partner paying
  for it and the office; never a contributor, another partner or an expert.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.access_matrix_table import ROLES, TABLE, Row, scenario_fixture  # noqa: F401 (a fixture)
from tests.conftest import REQUIRE_SERVICES, missing

EVERYONE = set(ROLES)
OUTSIDERS = {"anonymous", "other_manager", "unassigned_assessor", "other_partner", "policy"}
# Marker -> the roles that must never see it.
FORBIDDEN: dict[str, set[str]] = {
    # A case's payments: its manager, the partner paying for it, the office.
    "CANARY-PAYMENT-REFERENCE": EVERYONE - {"manager", "partner", "office"},
    "CANARY-CASE-ANSWER": EVERYONE - {"manager", "contributor", "assigned_assessor", "office"},
    "canary-case-evidence": EVERYONE - {"manager", "contributor", "assigned_assessor", "office"},
    "CANARY-SCORE-COMMENT": EVERYONE - {"assigned_assessor", "office"},
    "CANARY-QUESTION": EVERYONE - {"manager", "contributor", "assigned_assessor", "office"},
    "CANARY-DRAFT-ANSWER": EVERYONE - {"manager", "contributor", "office"},
    "canary-draft-evidence": EVERYONE - {"manager", "contributor", "office"},
    "canary-invitee@example.test": EVERYONE - {"manager", "contributor", "partner", "office"},
    "Canary Manager Serbia": OUTSIDERS | {"committee"},
    "canary-manager-rs@example.test": OUTSIDERS | {"committee"},
    "Canary Contributor Serbia": OUTSIDERS | {"committee"},
    "Canary Manager Germany": EVERYONE - {"other_manager", "other_partner", "office"},
    "canary-manager-de@example.test": EVERYONE - {"other_manager", "other_partner", "office"},
    "Canary Expert Assigned": OUTSIDERS,
    "CANARY-NOTE-MANAGER": EVERYONE - {"manager"},
    "CANARY-NOTE-GERMANY": EVERYONE - {"other_manager"},
}


def plant_canaries(s: SimpleNamespace) -> None:
    """Write the markers into the scenario (test data, written directly)."""
    from accounts.models import User
    from assessments.models import Answer, Evidence, Indicator, Score
    from clusters.models import Invitation
    from common.models import Notification

    def person(role: str, name: str, email: str = "") -> None:
        User.objects.filter(pk=s.users[role].pk).update(full_name=name, **({"email": email} if email else {}))

    person("manager", "Canary Manager Serbia", "canary-manager-rs@example.test")
    person("contributor", "Canary Contributor Serbia")
    person("other_manager", "Canary Manager Germany", "canary-manager-de@example.test")
    person("assigned_assessor", "Canary Expert Assigned")
    for role in ("manager", "contributor", "other_manager", "assigned_assessor"):
        s.users[role].refresh_from_db()

    case_text = Indicator.objects.get(version=s.case.version, code="S2.3")
    Answer.objects.filter(application=s.case, indicator=case_text).update(value="CANARY-CASE-ANSWER")
    draft_text = Indicator.objects.get(version=s.draft.version, code="S2.3")
    Answer.objects.update_or_create(
        application=s.draft,
        indicator=draft_text,
        defaults={"value": "CANARY-DRAFT-ANSWER", "updated_by": s.users["manager"]},
    )
    Evidence.objects.filter(pk=s.case_evidence.pk).update(original_name="canary-case-evidence.pdf")
    Evidence.objects.filter(pk=s.draft_evidence.pk).update(original_name="canary-draft-evidence.pdf")
    Score.objects.create(
        application=s.case,
        indicator=s.case_indicator,
        assignment=None,  # one expert: the score is the case's own (shared scoring)
        met=True,
        comment="CANARY-SCORE-COMMENT",
        updated_by=s.users["assigned_assessor"],
    )
    s.clarification.__class__.objects.filter(pk=s.clarification.pk).update(question="CANARY-QUESTION")
    Invitation.objects.filter(pk=s.invitation.pk).update(email="canary-invitee@example.test")
    Notification.objects.create(user=s.users["manager"], title="CANARY-NOTE-MANAGER", url="/")
    Notification.objects.create(user=s.users["other_manager"], title="CANARY-NOTE-GERMANY", url="/")


@pytest.fixture(scope="module")
def world(scenario: SimpleNamespace, django_db_blocker: pytest.FixtureRequest) -> Iterator[SimpleNamespace]:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        plant_canaries(scenario)
    yield scenario


def _pdf_text(content: bytes) -> str:
    if shutil.which("pdftotext") is None:
        if REQUIRE_SERVICES:
            missing("pdftotext (poppler-utils) is needed to read PDFs for canaries")
        return ""  # outside CI a PDF goes unread here; CI has poppler-utils and reads every one
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "page.pdf"
        pdf.write_bytes(content)
        return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _text(response: object) -> str:
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content  # type: ignore[attr-defined]
    if content.startswith(b"%PDF"):
        return _pdf_text(content)
    return content.decode("utf-8", errors="replace")


# A link that is itself the key: whoever holds an invitation's signed link is the
# person it was mailed to, who may read who invited them and to which address.
CAPABILITY_ROUTES = {"clusters:invitation_accept"}


def _readable(role: str) -> list[Row]:
    """Every page the role opens: the matrix's GET cells answered 200."""
    return [
        entry
        for entry in TABLE
        if entry.method == "GET" and entry.expected[role] == "200" and entry.route not in CAPABILITY_ROUTES
    ]


def _pages_of(world: SimpleNamespace, role: str) -> Iterator[tuple[str, str]]:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    for url in (url for entry in _readable(role) for url in _urls(entry, world)):
        cache.clear()  # rate limits count per address
        response = client.get(url)
        if response.status_code == 200:
            yield url, _text(response)


def _urls(entry: Row, world: SimpleNamespace) -> list[str]:
    """The row's page, every section of a sectioned page, and a history's CSV export."""
    kwargs = entry.kwargs(world)
    variants = [kwargs] + ([{**kwargs, "code": "S2"}] if "code" in kwargs else [])
    urls = [reverse(entry.route, kwargs=variant) for variant in variants]
    return urls + ([urls[0] + "?format=csv"] if entry.route == "history" else [])


@pytest.fixture(scope="module")
def pages(world: SimpleNamespace, django_db_blocker: pytest.FixtureRequest) -> dict[str, dict[str, str]]:
    """Every page each role opens, as text: read once for the module."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        return {role: dict(_pages_of(world, role)) for role in ROLES}


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_a_role_what_is_not_theirs(db: None, pages: dict[str, dict[str, str]], role: str) -> None:
    forbidden = [marker for marker, roles in FORBIDDEN.items() if role in roles]
    leaks = {
        url: found
        for url, text in pages[role].items()
        if (found := sorted(marker for marker in forbidden if marker.lower() in text.lower()))
    }

    assert leaks == {}, f"{role} reads what is not theirs: {leaks}"


def test_every_canary_is_seen_by_someone_allowed(db: None, pages: dict[str, dict[str, str]]) -> None:
    """The scan is worth what it can find: each marker shows on some page a role
    allowed to see it opens, so its absence elsewhere means something."""
    seen: dict[str, set[str]] = {marker: set() for marker in FORBIDDEN}
    for role, texts in pages.items():
        everything = " ".join(texts.values()).lower()
        for marker, forbidden in FORBIDDEN.items():
            if role not in forbidden and marker.lower() in everything:
                seen[marker].add(role)

    assert sorted(marker for marker, roles in seen.items() if not roles) == []


# What the partner's pipeline must never show, though the partner may meet some of
# it elsewhere (the assessor's name, as a person of its country): what is answered,
# scored and asked in a case, and who assesses it.
PIPELINE_SECRETS = (
    "CANARY-CASE-ANSWER",
    "canary-case-evidence",
    "CANARY-SCORE-COMMENT",
    "CANARY-QUESTION",
    "Canary Expert Assigned",
)


def test_the_pipeline_shows_the_partner_its_cases_but_no_assessment_and_no_assessor(
    db: None, world: SimpleNamespace, pages: dict[str, dict[str, str]]
) -> None:
    text = pages["partner"][reverse("assessments:partner_pipeline")]

    assert world.case.organisation.name in text  # the scan reads a page that lists the case
    assert [secret for secret in PIPELINE_SECRETS if secret.lower() in text.lower()] == []
