"""Hypothesis drives every form of the portal through the page that uses it.

Every ``Form`` defined in an app's ``forms.py`` needs an entry in ``TARGETS``
(a new form without one fails ``test_every_form_has_a_target``): the page it is
posted to, who posts it, and which rows a successful post may add. The values
come from the form's own fields, mixed with hostile text (very long, NUL bytes,
a right-to-left override, a spreadsheet formula, HTML). Whatever is posted:

- the answer is never a server error;
- a post the form itself refuses writes nothing at all;
- an accepted post adds at most one row per model, only to the models named.

``HYPOTHESIS_PROFILE=thorough`` (``make fuzz``) runs 200 examples per form.
"""

from __future__ import annotations

import importlib
import inspect
import reprlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest
from django import forms
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.choices import BaseChoiceIterator
from django.utils.datastructures import MultiValueDict
from hypothesis import given
from hypothesis import strategies as st

from assessments.silver import benchmarking_recommendations, gold_criteria
from tests.access_matrix_table import fingerprint, scenario_fixture  # noqa: F401 (a fixture)
from tests.hypothesis_profiles import fuzz_settings

if TYPE_CHECKING:
    from assessments.models import Application, Section

ROOT = Path(__file__).resolve().parents[1]
APPS = ("common", "accounts", "clusters", "assessments", "billing", "labels", "privacy")

HOSTILE_TEXT = [
    "",
    " ",
    "x" * 20_000,
    "nul\x00byte",
    "\u202egnp.exe",
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)*cmd|' /C calc'!A0",
    '@HYPERLINK("http://evil.example")',
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE accounts_user; --",
    "../../../etc/passwd",
    "\u00fcn\u00efc\u00f6d\u00e9 \U0001f600" * 50,
    "-1",
    "1e309",
    "NaN",
    "0000-00-00",
]
TEXT = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=300),
)
FILE_NAMES = st.sampled_from(["data.csv", "proof.pdf", "../../x.csv", "evil.svg", "a\u202efdp.csv", "noext", "x.pdf"])
FILE_CONTENTS = st.one_of(
    st.binary(max_size=2000),
    st.sampled_from(
        [
            b"%PDF-1.4\n%%EOF\n",
            b"organisation,country,city,website,sector,level,assessed_on,valid_until,score,label_code\n",
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            b"=cmd|' /C calc'!A0,RS\n",
        ]
    ),
)


def pks_of(form_field: forms.ModelChoiceField[Any]) -> list[str]:
    """Up to 20 of the values the field accepts."""
    assert form_field.queryset is not None
    return [str(pk) for pk in form_field.queryset.values_list(form_field.to_field_name or "pk", flat=True)[:20]]


def choices_of(form_field: forms.ChoiceField) -> list[Any] | BaseChoiceIterator:
    """The field's (value, label) pairs: Django keeps them as a list or as one of its lazy choice iterators."""
    choices = form_field.choices
    assert isinstance(choices, (list, BaseChoiceIterator))
    return choices


def field_strategy(form_field: forms.Field, scenario: SimpleNamespace) -> st.SearchStrategy[Any]:
    """Values for one field: mostly what it expects, often what it does not. None means: leave it out."""
    if isinstance(form_field, forms.FileField):
        return st.one_of(st.none(), st.tuples(FILE_NAMES, FILE_CONTENTS))
    if isinstance(form_field, forms.BooleanField):
        return st.sampled_from([None, "on", "true", "false", "", "0"])
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        pks = pks_of(form_field)
        return st.lists(st.one_of(st.sampled_from(pks or ["1"]), TEXT), max_size=4)
    if isinstance(form_field, forms.ModelChoiceField):
        pks = pks_of(form_field)
        return st.one_of(st.none(), st.sampled_from(pks or ["1"]), TEXT)
    if isinstance(form_field, forms.MultipleChoiceField):
        values = [str(value) for value, _label in choices_of(form_field) if value != ""]
        return st.lists(st.one_of(st.sampled_from(values or ["x"]), TEXT), max_size=4)
    if isinstance(form_field, forms.ChoiceField):
        values = [str(value) for value, _label in choices_of(form_field)]
        return st.one_of(st.sampled_from(values or [""]), TEXT)
    if isinstance(form_field, forms.EmailField):
        return st.one_of(st.emails().map(lambda e: e[:254]), st.just("newcomer@example.test"), TEXT)
    if isinstance(form_field, forms.URLField):
        return st.one_of(st.just("https://cluster.example/en/"), st.just("javascript:alert(1)"), TEXT)
    if isinstance(form_field, forms.DateField):
        return st.one_of(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)).map(str), TEXT)
    if isinstance(form_field, forms.DecimalField | forms.FloatField):
        return st.one_of(st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str), TEXT)
    if isinstance(form_field, forms.IntegerField):
        return st.one_of(st.integers(-(2**40), 2**40).map(str), TEXT)
    return TEXT


@dataclass(frozen=True)
class Target:
    """Where a form is posted, by whom, and what an accepted post may add."""

    url: Callable[[SimpleNamespace], str]
    user: str | None  # a role of the scenario; None: anonymous
    writes: frozenset[str] = frozenset()  # model labels that may gain (at most) one row
    writes_many: frozenset[str] = frozenset()  # model labels that may gain a row per item (a section's scores)
    method: str = "POST"
    make_form: Callable[..., forms.BaseForm] | None = None  # to ask the form itself: valid or not?
    init: Callable[[SimpleNamespace], dict[str, Any]] = field(default=lambda s: {})
    extra: Callable[[SimpleNamespace], dict[str, Any]] = field(default=lambda s: {})


def _writes(*labels: str) -> frozenset[str]:
    return frozenset(labels)


def _first_section(application: Application) -> Section:
    section = application.version.sections.order_by("position").first()
    assert section is not None
    return section


def _org(name: str) -> Callable[[SimpleNamespace], str]:
    return lambda s: reverse(name, kwargs={"slug": s.org.slug})


TARGETS: dict[str, Target] = {
    "accounts.forms.EmailAuthenticationForm": Target(
        lambda s: reverse("accounts:login"), None, make_form=None, extra=lambda s: {}
    ),
    "accounts.forms.SignupForm": Target(lambda s: reverse("accounts:signup"), None, _writes("accounts.User")),
    "accounts.forms.PlainSubjectPasswordResetForm": Target(lambda s: reverse("accounts:password_reset"), None),
    "accounts.forms.AccountForm": Target(
        lambda s: reverse("clusters:invitation_accept", kwargs={"token": s.invitation_token}),
        None,
        _writes("accounts.User", "clusters.Membership"),
        init=lambda s: {"fixed_email": s.invitation.email},
    ),
    "accounts.forms.ProfileForm": Target(lambda s: reverse("accounts:profile"), "manager"),
    "clusters.forms.OrganisationForm": Target(
        lambda s: reverse("clusters:organisation_register"),
        "other_manager",
        _writes("clusters.ClusterOrganisation", "clusters.Membership"),
    ),
    "clusters.forms.ReasonForm": Target(
        lambda s: reverse("clusters:organisation_move", kwargs={"slug": s.org.slug, "to_state": "inactive"}),
        "office",
    ),
    # The other organisation (labelled too) has no pending request: an accepted post adds one.
    "clusters.forms.NameChangeForm": Target(
        lambda s: reverse("clusters:name_change_ask", kwargs={"slug": s.other_org.slug}),
        "other_manager",
        _writes("clusters.NameChangeRequest"),
    ),
    "clusters.forms.WaiverForm": Target(_org("clusters:waiver_add"), "partner", _writes("clusters.EligibilityWaiver")),
    "clusters.forms.InvitationForm": Target(
        _org("clusters:organisation_people"), "manager", _writes("clusters.Invitation")
    ),
    "clusters.forms.RoleForm": Target(
        lambda s: reverse("clusters:membership_role", kwargs={"slug": s.org.slug, "pk": s.contributor_membership.pk}),
        "manager",
    ),
    "clusters.forms.OrganisationFilterForm": Target(
        lambda s: reverse("clusters:organisation_list"), "office", method="GET"
    ),
    "assessments.forms.DeclarationForm": Target(
        lambda s: reverse("assessments:assignment_declare", kwargs={"pk": s.assignment.pk}),
        "assigned_assessor",
    ),
    "assessments.forms.ClarificationForm": Target(
        lambda s: reverse("assessments:clarification_ask", kwargs={"pk": s.case.pk}),
        "assigned_assessor",
        _writes("assessments.Clarification"),
    ),
    "assessments.forms.ClarificationAnswerForm": Target(
        lambda s: reverse(
            "assessments:clarification_answer", kwargs={"pk": s.case.pk, "clarification_pk": s.clarification.pk}
        ),
        "manager",
        _writes("assessments.Evidence"),
    ),
    "assessments.forms.CompleteForm": Target(
        lambda s: reverse("assessments:case_complete", kwargs={"pk": s.case.pk}),
        "assigned_assessor",
        _writes("assessments.AssessmentReport"),
    ),
    "assessments.forms.ReturnForm": Target(
        lambda s: reverse("assessments:case_quality", kwargs={"pk": s.case.pk, "to_state": "in_assessment"}),
        "office",
    ),
    "assessments.forms.ReasonForm": Target(
        lambda s: reverse(
            "assessments:clarification_close", kwargs={"pk": s.case.pk, "clarification_pk": s.clarification.pk}
        ),
        "office",
    ),
    "assessments.forms.ExtendForm": Target(
        lambda s: reverse(
            "assessments:clarification_extend", kwargs={"pk": s.case.pk, "clarification_pk": s.clarification.pk}
        ),
        "office",
    ),
    "assessments.forms.StandingDeclarationForm": Target(
        lambda s: reverse("assessments:standing_declarations"),
        "unassigned_assessor",
        _writes("assessments.StandingDeclaration"),
    ),
    "assessments.forms.SectionScoresForm": Target(
        lambda s: reverse("assessments:case_scoring", kwargs={"pk": s.case.pk, "code": _first_section(s.case).code}),
        "assigned_assessor",
        writes_many=_writes("assessments.Score"),
        init=lambda s: {"indicators": list(_first_section(s.case).indicators.all())},
    ),
    "assessments.forms.ImprovementAreasForm": Target(
        lambda s: reverse("assessments:improvement_areas", kwargs={"pk": s.silver_draft.pk}),
        "manager",
        writes_many=_writes("assessments.SilverImprovementArea"),
        init=lambda s: {"recommendations": benchmarking_recommendations(s.silver_draft), "count": 3},
    ),
    "assessments.forms.AreaValidationForm": Target(
        lambda s: reverse("assessments:improvement_areas_validate", kwargs={"pk": s.silver_case.pk}),
        "assigned_assessor",
        init=lambda s: {"criteria": gold_criteria()},
    ),
    "labels.forms.LabelRevokeForm": Target(
        lambda s: reverse("labels:label_revoke", kwargs={"code": s.label.code}), "office"
    ),
    "labels.forms.LabelReinstateForm": Target(
        lambda s: reverse("labels:label_reinstate", kwargs={"code": s.label.code}), "office"
    ),
    "labels.forms.LabelCorrectForm": Target(
        lambda s: reverse("labels:label_correct", kwargs={"code": s.label.code}), "office"
    ),
    "labels.forms.CertificateLanguageForm": Target(
        lambda s: reverse("labels:label_certificate_language", kwargs={"code": s.label.code}),
        "office",
    ),
    # The scenario has no case awaiting a decision: every post is refused, and writes nothing.
    "labels.forms.MeetingScheduleForm": Target(
        lambda s: reverse("labels:meeting_schedule"), "office", _writes("labels.Meeting"), _writes("labels.AgendaItem")
    ),
    "labels.forms.ImportUploadForm": Target(
        lambda s: reverse("labels:import_upload"), "office", _writes("labels.ImportJob")
    ),
    "labels.forms.HistoryFilterForm": Target(
        lambda s: reverse("history", kwargs={"kind": "organisation", "pk": s.org.pk}),
        "office",
        method="GET",
        init=lambda s: {"actors": [(s.users["manager"].pk, "Manager")]},
    ),
    "privacy.forms.ErasureForm": Target(lambda s: reverse("privacy:erasures"), "office", _writes("privacy.Erasure")),
    "billing.forms.PaymentForm": Target(
        lambda s: reverse("billing:payment_record", kwargs={"pk": s.invoice.pk}), "office", _writes("billing.Payment")
    ),
    "billing.forms.CreditNoteForm": Target(
        lambda s: reverse("billing:credit_note", kwargs={"pk": s.invoice.pk}),
        "office",
        _writes("billing.Invoice", "billing.InvoiceLine"),
    ),
    "billing.forms.PayerForm": Target(
        lambda s: reverse("billing:case_payer", kwargs={"pk": s.other_case.pk}), "office", _writes("billing.Payer")
    ),
    "billing.forms.PriceForm": Target(lambda s: reverse("billing:prices"), "office", _writes("billing.PriceEntry")),
    "billing.forms.DeliveryForm": Target(
        lambda s: reverse("billing:quote_delivery", kwargs={"pk": s.other_case.pk}), "office"
    ),
    # Not in a forms.py, but a form the public posts all day.
    "labels.registry.RegistryFilterForm": Target(lambda s: reverse("registry"), None, method="GET"),
}
# Forms whose validity cannot be asked without a request (the login form authenticates).
NO_STANDALONE_CHECK = {"accounts.forms.EmailAuthenticationForm"}


def discovered_forms() -> dict[str, type[forms.BaseForm]]:
    """Every form class defined in an app's forms.py (and the extra ones above)."""
    found: dict[str, type[forms.BaseForm]] = {}
    for app in APPS:
        for path in sorted((ROOT / app).glob("forms*.py")):
            module = importlib.import_module(f"{app}.{path.stem}")
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                    found[f"{module.__name__}.{cls.__name__}"] = cls
    from labels.registry import RegistryFilterForm

    found["labels.registry.RegistryFilterForm"] = RegistryFilterForm
    return found


def test_every_form_has_a_target() -> None:
    missing = [
        f"add a Target for {name} in tests/test_fuzz_forms.py" for name in discovered_forms() if name not in TARGETS
    ]

    assert missing == []


_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = 80
short = _repr.repr


def _counts(print_: dict[str, object]) -> dict[str, int]:
    return {key: value for key, value in print_.items() if isinstance(value, int)}


def _payload(values: dict[str, Any]) -> tuple[dict[str, Any], MultiValueDict[str, UploadedFile[bytes]], dict[str, Any]]:
    """(data, files) for the form's own check, and the body to post (fresh file objects)."""
    data: dict[str, Any] = {}
    files: MultiValueDict[str, UploadedFile[bytes]] = MultiValueDict()
    body: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, tuple):
            filename, content = value
            files[name] = SimpleUploadedFile(filename, content)
            body[name] = SimpleUploadedFile(filename, content)
        else:
            data[name] = value
            body[name] = value
    return data, files, body


@pytest.mark.parametrize("form_name", sorted(TARGETS))
def test_form_survives_generated_input(scenario: SimpleNamespace, db: None, form_name: str) -> None:
    form_class = discovered_forms()[form_name]
    target = TARGETS[form_name]
    init = target.init(scenario)
    fields = form_class(**init).fields
    url = target.url(scenario)
    client = Client(raise_request_exception=False)
    if target.user:
        client.force_login(scenario.users[target.user])
    strategy = st.fixed_dictionaries({name: field_strategy(f, scenario) for name, f in fields.items()})

    @fuzz_settings()
    @given(values=strategy)
    def post(values: dict[str, Any]) -> None:
        cache.clear()  # login lockouts and rate limits count in the cache
        data, files, body = _payload(values)
        valid = None
        if form_name not in NO_STANDALONE_CHECK:
            valid = form_class(data=data, files=files, **init).is_valid()
        sid = transaction.savepoint()
        try:
            before = fingerprint()
            if target.method == "GET":
                response = client.get(url, {k: v for k, v in body.items() if not isinstance(v, SimpleUploadedFile)})
            else:
                response = client.post(url, body)
            after = fingerprint()
        finally:
            transaction.savepoint_rollback(sid)

        assert response.status_code < 500, f"{form_name}: {response.status_code} for {short(values)}"
        if valid is False:
            assert after == before, f"{form_name} refused {values!r} but wrote something"
        changed = {
            label: _counts(after)[label] - count
            for label, count in _counts(before).items()
            if _counts(after)[label] != count
        }
        # Every accepted write adds its rows to the one history (several for a step that moves the state too).
        many = target.writes_many | {"common.ActivityLog"}
        unexpected = {
            label: delta
            for label, delta in changed.items()
            if label not in many and (label not in target.writes or delta > 1)
        }
        assert unexpected == {}, f"{form_name}: unexpected writes {changed} for {short(values)}"

    post()


# --- The autosave service, behind the one form that is not a Django form -------------------------


def test_autosave_survives_generated_answers(scenario: SimpleNamespace, db: None) -> None:
    from assessments.models import Answer, Indicator

    client = Client(raise_request_exception=False)
    client.force_login(scenario.users["manager"])
    indicators = list(Indicator.objects.filter(version=scenario.draft.version))

    @fuzz_settings()
    @given(
        indicator=st.sampled_from(indicators),
        values=st.lists(TEXT, max_size=3),
        revision=st.one_of(st.just("0"), TEXT),
        htmx=st.booleans(),
    )
    def save(indicator: Indicator, values: list[str], revision: str, htmx: bool) -> None:
        url = reverse("assessments:answer_save", args=[scenario.draft.pk, indicator.pk])
        headers: dict[str, Any] = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        sid = transaction.savepoint()
        try:
            before = Answer.objects.filter(application=scenario.draft).count()
            response = client.post(url, {"value": values, "revision": revision}, **headers)
            after = Answer.objects.filter(application=scenario.draft).count()
        finally:
            transaction.savepoint_rollback(sid)

        assert response.status_code < 500, f"{response.status_code} for {short(values)}"
        assert after - before in (0, 1)

    save()
