"""Valid request bodies, one builder per action: what a success-path test posts.

Each builder takes the access matrix's scenario ``s`` (see
``tests/access_matrix_table.py``) and returns the POST data, files included,
that the action's form accepts. The matrix posts the same body as every role,
so a refusal it sees is the permission's, never the form's. ``no_input`` names
the actions that take nothing but the click.

Success-path tests share these builders (``register_data`` is the
registration's, for instance), so a form that gains a required field fails
here and there alike.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import PASSWORD
from tests.files import PDF

NEW_PASSWORD = "another-long-test-password-57"

Body = dict[str, Any]


def no_input(s: SimpleNamespace) -> Body:
    """The action takes nothing but the click (a button in a form of its own)."""
    return {}


def pdf_upload(name: str = "proof.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# --- accounts --------------------------------------------------------------------------------------


def login(s: SimpleNamespace) -> Body:
    return {"username": s.users["manager"].email, "password": PASSWORD}


def signup(s: SimpleNamespace) -> Body:
    return {"email": "matrix-newcomer@example.test", "full_name": "Mira Newcomer", "preferred_language": "en"}


def set_password(s: SimpleNamespace) -> Body:
    return {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}


def profile(s: SimpleNamespace) -> Body:
    return {"full_name": "Renamed In The Matrix", "preferred_language": "sr-latn"}


def password_change(s: SimpleNamespace) -> Body:
    return {"old_password": PASSWORD, **set_password(s)}


def password_reset(s: SimpleNamespace) -> Body:
    return {"email": s.users["manager"].email}


def language(s: SimpleNamespace) -> Body:
    return {"language": "sr-latn", "next": "/"}


# --- clusters --------------------------------------------------------------------------------------


def register_data(**overrides: object) -> Body:
    """A new organisation's profile, as the registration form posts it."""
    from common.models import Sector

    data: Body = {
        "name": "Sava Digital Cluster",
        "country": "RS",
        "city": "Belgrade",
        "website": "https://sdc.example",
        "website_in_english": "on",
        "eccp_url": "https://reporting.clustercollaboration.eu/cluster/42",
        "sectors": [Sector.objects.get(name="ICT").pk],
        "management_fte": "1.5",
        "members_sme": "12",
        "members_large": "2",
        "members_research": "3",
        "members_public": "1",
        "members_other": "0",
        "founding_year": "2015",
    }
    data.update(overrides)
    return data


def organisation_register(s: SimpleNamespace) -> Body:
    return register_data(name="Matrix Registered Cluster")


def organisation_edit(s: SimpleNamespace) -> Body:
    """The organisation's own profile with one change (the city); its fixed name and country as they are."""
    return register_data(name=s.org.name, country=s.org.country.code, city="Novi Sad")


def reason(s: SimpleNamespace) -> Body:
    return {"reason": "Decided at the office's meeting."}


def name_change(s: SimpleNamespace) -> Body:
    return {"new_name": "Matrix Cluster Serbia Association", "reason": "A merger with a sister cluster."}


def waiver_add(s: SimpleNamespace) -> Body:
    """A criterion the scenario has not waived yet (ECCP is)."""
    return {"criterion": "website", "reason": "Recognised by the national cluster programme."}


def invitation_send(s: SimpleNamespace) -> Body:
    return {"email": "second-newcomer@example.test", "role": "contributor"}


def membership_role(s: SimpleNamespace) -> Body:
    return {"role": "manager"}


def invitation_accept(s: SimpleNamespace) -> Body:
    """The newcomer's account, created on the invitation's page (the address is the invitation's)."""
    return {
        "email": s.invitation.email,
        "full_name": "Nina Newcomer",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "preferred_language": "en",
    }


# --- assessments -----------------------------------------------------------------------------------


def level(s: SimpleNamespace) -> Body:
    """A Gold application: the scenario's Gold draft is withdrawn first (``effects.gold_draft_withdrawn``)."""
    return {"level": "gold"}


def _answer(application: Any, indicator: Any) -> Body:
    from assessments.models import Answer

    current = Answer.objects.filter(application=application, indicator=indicator).first()
    return {"value": ["42"], "revision": str(current.revision if current else 0)}


def case_answer(s: SimpleNamespace) -> Body:
    return _answer(s.case, s.case_indicator)


def draft_answer(s: SimpleNamespace) -> Body:
    return _answer(s.draft, s.draft_indicator)


def evidence(s: SimpleNamespace) -> Body:
    return {"file": pdf_upload()}


def withdraw(s: SimpleNamespace) -> Body:
    return {"reason": "We apply again next year."}


def section_scores(s: SimpleNamespace) -> Body:
    """Every indicator of the case's first section, met, with a comment."""
    from assessments.models import Indicator

    body: Body = {}
    for indicator in Indicator.objects.filter(version=s.case.version, section__code="S1"):
        body |= {
            f"met-{indicator.pk}": "yes",
            f"comment-{indicator.pk}": "Seen on site.",
            f"recommendation-{indicator.pk}": "",
        }
    return body


def clarification(s: SimpleNamespace) -> Body:
    due = timezone.localdate() + timedelta(days=14)
    return {"question": "How many members joined this year?", "due_on": due.isoformat(), "indicator": ""}


def clarification_answer(s: SimpleNamespace) -> Body:
    """The scenario's question is about the case as a whole, so no file (files go with an indicator's question)."""
    return {"answer": "Twelve, listed in our annual report."}


def complete(s: SimpleNamespace) -> Body:
    body: Body = {
        "assessed_on": timezone.localdate().isoformat(),
        "summary": "A well-run cluster with a clear strategy.",
        "strengths": "Matchmaking events.",
    }
    return body | {f"rec-{code}": "Publish the annual report." for code in ("S1", "S2")}


def assign(s: SimpleNamespace) -> Body:
    return {"assessor": [str(s.users["unassigned_assessor"].pk)]}


def declaration(s: SimpleNamespace) -> Body:
    return {"no_conflict": "on", "reason": ""}


def extend(s: SimpleNamespace) -> Body:
    return {"due_on": (timezone.localdate() + timedelta(days=40)).isoformat(), "reason": "Summer holidays."}


def standing_declaration(s: SimpleNamespace) -> Body:
    return {"organisation": str(s.other_org.pk), "kind": "competitor", "note": ""}


def return_note(s: SimpleNamespace) -> Body:
    return {"note": "Look at the financing again."}


# --- labels ----------------------------------------------------------------------------------------


def label_revoke(s: SimpleNamespace) -> Body:
    return {"reason": "The organisation misrepresented its membership."}


def label_reinstate(s: SimpleNamespace) -> Body:
    return {"reason": "The revocation was meant for another organisation."}


def label_correct(s: SimpleNamespace) -> Body:
    from labels.models import Label

    label = Label.objects.get(pk=s.label.pk)
    return {
        "organisation_name": "",
        "valid_until": (label.valid_until + timedelta(days=31)).isoformat(),
        "reason": "The interview month was typed wrong.",
    }


def certificate_language(s: SimpleNamespace) -> Body:
    from labels.models import Label

    current = Label.objects.get(pk=s.label.pk).certificate_language
    return {"certificate_language": "en" if current != "en" else "en+sr-latn"}


def position(s: SimpleNamespace) -> Body:
    return {"position": "S1.1 is not met: the budget is not approved."}


def meeting_schedule(s: SimpleNamespace) -> Body:
    """The office puts the scenario's case (before the board: ``effects.case_awaiting_decision``) on an agenda."""
    return {"held_on": timezone.localdate().isoformat(), "cases": [s.case.pk]}


def meeting_members(s: SimpleNamespace) -> Body:
    """The committee member and two more: the default quorum present."""
    return {"members": [s.users["committee"].pk, *(member.pk for member in s.board_members)]}


def proposal(s: SimpleNamespace) -> Body:
    return {"outcome": "awarded", "reason": "", "certificate_language": "en"}


def send_back(s: SimpleNamespace) -> Body:
    return {"reason": "Read the report again."}


IMPORT_CSV = (
    b"organisation,country,city,website,sector,level,assessed_on,valid_until,score,label_code\n"
    b"Matrix Imported Cluster,RS,Nis,https://mic.example,ICT,bronze,2025-03-15,2027-03-31,,\n"
)


def import_upload(s: SimpleNamespace) -> Body:
    return {"file": SimpleUploadedFile("labels.csv", IMPORT_CSV, content_type="text/csv"), "dry_run": "on"}


def improvement_areas(s: SimpleNamespace) -> Body:
    """Three recommendations of the Silver draft's first benchmarking."""
    return {"area_1": "group:S1", "area_2": "group:S2", "area_3": "indicator:S1.1"}


def area_validation(s: SimpleNamespace) -> Body:
    """The Croatian Silver case's first area, validated against a Gold indicator."""
    area = s.silver_case.improvement_areas.get(position=1)
    return {"area": area.pk, "validated": "yes", "gold_criterion": "S1.1", "note": "Seen on site."}


# --- privacy ---------------------------------------------------------------------------------------


def erasure(s: SimpleNamespace) -> Body:
    return {"email": s.erasable.email, "reason": "Asked by letter of 2 May", "legal_basis": "GDPR art. 17(1)(a)"}


def payment(s: SimpleNamespace) -> Body:
    return {"paid_on": "2026-03-05", "amount": "100.00", "reference": "Matrix transfer"}


def credit_reason(s: SimpleNamespace) -> Body:
    return {"reason": "Withdrawn by the organisation"}


def payer(s: SimpleNamespace) -> Body:
    return {
        "kind": "programme",
        "partner": "",
        "name": "German programme",
        "street": "Invalidenstrasse 1",
        "postcode": "10115",
        "city": "Berlin",
        "country": "DE",
        "vat_number": "DE136695976",
        "is_business": "on",
        "email": "",
    }


def price(s: SimpleNamespace) -> Body:
    return {"level": "bronze", "kind": "new", "delivery": "video", "amount": "1700.00", "valid_from": "2031-01-01"}


def delivery(s: SimpleNamespace) -> Body:
    return {"delivery": "on_site"}
