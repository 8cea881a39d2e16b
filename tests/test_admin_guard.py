"""The admin cannot go round the portal's doors (issue 16, part 4).

The label office logs into the admin as the demo office does (``is_staff`` and
a group holding every permission on the portal's models) and tries what a
hostile member of staff would: rewrite a report's result, a label's dates, an
organisation's state, forge or delete history rows, make someone superuser,
give a role. Every record model of the registry is walked: its pages open,
and every hostile post is refused with the database unchanged.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models
from django.http import HttpRequest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.enums import StaffRole
from accounts.models import RoleGrant, User
from accounts.services import role_grant, role_revoke
from assessments.enums import ApplicationState, AssignmentState, DecisionOutcome, VersionStatus
from assessments.models import (
    Answer,
    Application,
    AssessmentReport,
    Assignment,
    BenchmarkingReport,
    Clarification,
    DeadlineReminder,
    Decision,
    Evidence,
    QuestionnaireVersion,
    Score,
    SilverImprovementArea,
    StandingDeclaration,
)
from billing.models import PaymentReminder
from billing.services import invoice_issue, payment_record, quote_create
from clusters.enums import EligibilityCriterion, OrganisationState
from clusters.models import EligibilityWaiver, Invitation, NameChangeRequest
from clusters.selectors import transitions_of
from common.admin import PrivateFilesAdmin
from common.enums import JobState, Level
from common.errors import ActionRefused
from common.models import Notification
from common.selectors import history_of
from common.services import history_record
from labels.demo import office_admin_access
from labels.models import (
    AgendaItem,
    CertificateJob,
    ImportJob,
    Label,
    LabelReminder,
    Meeting,
    ReminderDigest,
    StoredFigure,
)
from privacy.models import DataExport, Erasure
from tests.assessments.conftest import make_version
from tests.factories import (
    AssessorProfileFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnerStaffFactory,
    RoleGrantFactory,
    UserFactory,
)

# Records: nobody adds, changes or deletes them in the admin, superusers included.
# Each names the fields a hostile post tries to rewrite.
RECORDS: dict[str, dict[str, Any]] = {
    "assessments.application": {"state": ApplicationState.AWARDED, "level": Level.BRONZE},
    "assessments.answer": {"value": '"forged"', "revision": "99"},
    "assessments.evidence": {"original_name": "forged.pdf", "sha256": "f" * 64},
    "assessments.assignment": {"state": AssignmentState.DECLINED, "decline_reason": "forged"},
    "assessments.score": {"met": "True", "points": "99"},
    "assessments.clarification": {"answer": "forged", "due_on": "2099-12-31"},
    "assessments.assessmentreport": {"passed": "True", "score_percent": "97.50", "summary": "forged"},
    "assessments.decision": {"outcome": DecisionOutcome.REFUSED, "reason": "forged"},
    "assessments.benchmarkingreport": {"fingerprint": "forged"},
    "assessments.silverimprovementarea": {"validated": "True", "recommendation": "forged"},
    "assessments.standingdeclaration": {"kind": "other", "note": "forged"},
    "assessments.deadlinereminder": {"deadline": "2099-12-31", "step": "forged"},
    "labels.label": {"valid_until": "2099-12-31", "valid_from": "2020-01-01", "score": "97.50"},
    "labels.labelreminder": {"state": "skipped", "due_on": "2099-12-31"},
    "labels.reminderdigest": {"week": "2099-12-28"},
    "labels.storedfigure": {"scope": "forged", "value": '{"expiring-30": 999}'},
    "labels.importjob": {"state": JobState.FAILED, "dry_run": "on"},
    "labels.certificatejob": {"state": JobState.DONE, "rendered": "99"},
    "labels.meeting": {"state": "closed", "quorum": "1"},
    "labels.agendaitem": {"state": "approved", "outcome": DecisionOutcome.AWARDED, "reason": "forged"},
    "clusters.clusterorganisation": {"state": OrganisationState.ACTIVE, "name": "Renamed"},
    "clusters.eligibilitywaiver": {"criterion": EligibilityCriterion.MEMBERS, "reason": "forged"},
    "clusters.membership": {"role": "contributor", "left_at": datetime(2020, 1, 1, tzinfo=UTC)},
    "clusters.invitation": {"state": "accepted", "email": "forged@example.test"},
    "clusters.namechangerequest": {"state": "approved", "new_name": "Forged Cluster"},
    "common.notification": {"title": "forged", "url": "https://evil.example/"},
    "common.activitylog": {"action": "label.forged", "reason": "forged"},
    "privacy.erasure": {"pseudonym": "forged", "legal_basis": "forged"},
    "privacy.dataexport": {"token": "forged", "downloaded_at": datetime(2020, 1, 1, tzinfo=UTC)},
    "billing.priceentry": {"amount": "1.00", "valid_from": "2020-01-02"},
    "billing.payer": {"name": "Forged payer", "vat_number": "DE000000000"},
    "billing.quote": {"net_amount": "1.00", "priced_on": "2099-01-01"},
    "billing.invoicecounter": {"last": "0"},
    "billing.invoice": {"state": "paid", "gross_total": "1.00", "number": "2099-99999"},
    "billing.invoiceline": {"net_amount": "1.00", "description": "forged"},
    "billing.payment": {"amount": "9999.00", "reference": "forged"},
    "billing.paymentreminder": {"days_after_due": "99"},
}
# What gives people access: the office reads it (roles: not even that), only a superuser writes it.
ACCESS: dict[str, dict[str, Any]] = {
    "accounts.user": {"is_superuser": "on", "is_staff": "on"},
    "accounts.rolegrant": {"role": StaffRole.LABEL_COMMITTEE},
    "clusters.nationalpartner": {"countries": ["RS", "DE", "FR"]},
    "clusters.partnerstaff": {"added_at": datetime(2020, 1, 1, tzinfo=UTC)},
}
# The office's own tools here: questionnaire authoring (drafts only) and reference data.
OFFICE_EDITS = {
    "assessments.questionnaire",
    "assessments.questionnaireversion",
    "assessments.section",
    "assessments.indicator",
    "accounts.assessorprofile",
    "common.sector",
}
# Django's and django-axes' own models: the office holds no permission on them.
NOT_THE_OFFICES = {"auth.group", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}


def label_of(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def url(label: str, view: str, *args: object) -> str:
    return reverse(f"admin:{label.replace('.', '_')}_{view}", args=args)


def snapshot(obj: models.Model) -> dict[str, Any]:
    return type(obj)._default_manager.filter(pk=obj.pk).values().get()


def request_as(user: User) -> HttpRequest:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _text(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return "" if value is None else str(value)


def complete_post(
    model_admin: admin.ModelAdmin, obj: models.Model, user: User, changes: dict[str, Any]
) -> dict[str, Any]:
    """Everything the admin's change form posts for ``obj``, with ``changes`` on top.

    A form that would pass validation: were a guard missing, the change would be
    saved, so an unchanged row means the guard refused it, not the form.
    """
    request, changes = request_as(user), dict(changes)
    form = model_admin.get_form(request, obj, change=True)(instance=obj)
    data: dict[str, Any] = {}
    for bound in form:
        value, widget = changes.pop(bound.name, bound.value()), bound.field.widget
        if isinstance(bound.field, forms.FileField):
            continue  # no upload: the stored file stays
        if isinstance(widget, forms.MultiWidget):  # date and time on two inputs
            parts = value if isinstance(value, list) else widget.decompress(value)
            data.update({f"{bound.html_name}_{index}": _text(part) for index, part in enumerate(parts or [])})
        elif isinstance(widget, forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, (list, tuple)):
            data[bound.html_name] = [_text(item) for item in value]
        else:
            data[bound.html_name] = _text(value)
    # The inlines' management forms, empty: the post changes the object, not its rows.
    real_admin = admin.site._registry[type(obj)]
    prefixes: dict[str, int] = {}
    for formset, _inline in real_admin.get_formsets_with_inlines(request, obj):
        prefix = formset.get_default_prefix()
        prefixes[prefix] = prefixes.get(prefix, 0) + 1
        if prefixes[prefix] != 1:
            prefix = f"{prefix}-{prefixes[prefix]}"
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(changes)  # what the form does not hold (inline rows)
    return data


@pytest.fixture
def world(db: None, settings: Any, tmp_path: Any) -> SimpleNamespace:
    """One row of every model the admin shows, private files included, and the people who try."""
    settings.MEDIA_ROOT = tmp_path / "media"
    office = UserFactory.create(email="office@demo.test", full_name="Olivia Office")
    role_grant(user=office, role=StaffRole.LABEL_OFFICE, by=None, note="demo")
    office_admin_access(office)
    root = User.objects.create_superuser(
        email="root@example.test", password="a-long-root-password-42", full_name="Root"
    )
    committee = RoleGrantFactory.create(role=StaffRole.LABEL_COMMITTEE).user
    assessor = AssessorProfileFactory.create().user
    manager = MembershipFactory.create().user
    partner_staff = PartnerStaffFactory.create()

    pending = OrganisationFactory.create(state=OrganisationState.PENDING, name="Pending Cluster")
    history_record(obj=pending, action="organisation.state", by=manager, data={"state": ["draft", "pending"]})
    EligibilityWaiver.objects.create(
        organisation=pending, criterion=EligibilityCriterion.ECCP, reason="national programme", waived_by=office
    )
    Invitation.objects.create(organisation=pending, email="new@example.test", invited_by=manager)
    NameChangeRequest.objects.create(
        organisation=pending,
        current_name=pending.name,
        new_name="Renamed Cluster",
        reason="merger",
        requested_by=manager,
    )

    # A failing Gold case waiting for the committee, as in the issue.
    gold = OrganisationFactory.create(name="Gold Cluster")
    version = make_version(Level.GOLD)
    case = Application.objects.create(
        organisation=gold,
        level=Level.GOLD,
        version=version,
        state=ApplicationState.AWAITING_DECISION,
        created_by=manager,
    )
    history_record(
        obj=case, action="application.state", by=office, data={"state": ["in_quality_check", "awaiting_decision"]}
    )
    indicator = version.indicators.get(code="S1.1")
    Answer.objects.create(application=case, indicator=indicator, value=25, updated_by=manager)
    Evidence.objects.create(
        application=case,
        indicator=version.indicators.get(code="S2.4"),
        file=ContentFile(b"%PDF-1.4 evidence", name="evidence.pdf"),
        original_name="evidence.pdf",
        content_type="application/pdf",
        size=17,
        sha256="0" * 64,
        uploaded_by=manager,
    )
    assignment = Assignment.objects.create(
        application=case, assessor=assessor, assigned_by=office, state=AssignmentState.ACCEPTED
    )
    Score.objects.create(
        application=case, indicator=indicator, assignment=assignment, met=False, points=0, updated_by=assessor
    )
    SilverImprovementArea.objects.create(
        application=case, position=1, source="group:S1", recommendation="Grow the membership.", validated=False
    )
    StandingDeclaration.objects.create(assessor=assessor, organisation=pending, kind="advised")
    DeadlineReminder.objects.create(step="declare", record_id=assignment.pk, deadline=date(2026, 3, 9))
    Clarification.objects.create(
        application=case, question="Which events?", asked_by=assessor, due_on=timezone.localdate() + timedelta(14)
    )
    report = AssessmentReport.objects.create(
        application=case,
        score_percent=Decimal("0.00"),
        passed=False,
        completed_by=assessor,
        completed_at=timezone.now(),
        pdf=ContentFile(b"%PDF-1.4 report", name="gold-report.pdf"),
    )

    # A decided Bronze case, its label, certificate and history.
    bronze = OrganisationFactory.create(name="Bronze Cluster")
    decided = Application.objects.create(
        organisation=bronze,
        level=Level.BRONZE,
        version=make_version(Level.BRONZE),
        state=ApplicationState.AWARDED,
        created_by=manager,
    )
    Decision.objects.create(application=decided, outcome=DecisionOutcome.AWARDED, decided_by=committee)
    BenchmarkingReport.objects.create(
        application=decided,
        pdf=ContentFile(b"%PDF-1.4 benchmarking", name="benchmarking.pdf"),
        fingerprint="a" * 64,
        rendered_at=timezone.now(),
    )
    import_job = ImportJob.objects.create(
        file=ContentFile(b"code,level\n", name="labels.csv"), uploaded_by=office, state=JobState.DONE
    )
    label = Label.objects.create(
        organisation=bronze,
        level=Level.BRONZE,
        source="application",
        assessed_on=date(2026, 3, 15),
        valid_from=date(2026, 3, 15),
        valid_until=date(2028, 3, 31),
        code="RS-B-2026-0001",
        application=decided,
        certificate=ContentFile(b"%PDF-1.4 certificate", name="certificate.pdf"),
        imported_in=import_job,
    )
    history_record(obj=label, action="label.certificate", by=office, reason="template")
    LabelReminder.objects.create(
        label=label,
        kind="expiry-90",
        sequence=1,
        due_on=date(2028, 1, 1),
        for_valid_until=label.valid_until,
        state="sent",
        sent_at=timezone.now(),
    )
    ReminderDigest.objects.create(week=date(2026, 3, 16), recipients=[office.email])
    StoredFigure.objects.create(
        name="dashboard", scope="all", day=date(2026, 3, 16), computed_at=timezone.now(), value={"expiring-30": 1}
    )
    CertificateJob.objects.create(created_by=office, state=JobState.DONE, total=1, processed=1, rendered=1)
    meeting = Meeting.objects.create(held_on=date(2026, 3, 20), quorum=3, state="closed", scheduled_by=office)
    AgendaItem.objects.create(meeting=meeting, application=decided, state="approved", outcome=DecisionOutcome.AWARDED)
    Notification.objects.create(user=manager, title="Your label", url="/labels/")
    Erasure.objects.create(
        user=UserFactory(), pseudonym="Person 0123456789", reason="asked", legal_basis="art. 17", processed_by=office
    )
    DataExport.objects.create(user=manager, token="t" * 20, file=ContentFile(b"PK", name="export.zip"))

    # The decided case's quote, invoice (partly paid) and a payment reminder.
    quote_create(application=decided, by=office)
    invoice = invoice_issue(application=decided, by=office)
    payment_record(invoice=invoice, paid_on=date(2026, 3, 20), amount=Decimal("100.00"), reference="T1", by=office)
    PaymentReminder.objects.create(invoice=invoice, days_after_due=7)

    objects: dict[str, models.Model] = {}
    for model in admin.site._registry:
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            objects[label_of(model)] = first
    objects["assessments.application"] = case
    objects["clusters.clusterorganisation"] = pending
    objects["accounts.user"] = manager
    objects["clusters.partnerstaff"] = partner_staff
    return SimpleNamespace(office=office, root=root, manager=manager, objects=objects, report=report, label=label)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_registered_admin_is_judged() -> None:
    """A model newly put in the admin must be placed in one of the lists above."""
    registered = {label_of(model) for model in admin.site._registry}

    assert registered == {*RECORDS, *ACCESS, *OFFICE_EDITS, *NOT_THE_OFFICES}


def test_the_office_is_admin_staff_without_being_superuser(world: SimpleNamespace) -> None:
    office = world.office

    assert (office.is_staff, office.is_superuser) == (True, False)
    assert office.has_perm("assessments.change_assessmentreport")  # the group's permission...
    assert client_for(office).get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("who", ["office", "root"])
@pytest.mark.parametrize("label", sorted(RECORDS))
def test_a_record_is_shown_and_never_rewritten(world: SimpleNamespace, who: str, label: str) -> None:
    """...yet the admin refuses every add, change and delete, for the office and a superuser alike."""
    user = getattr(world, who)
    client = client_for(user)
    obj = world.objects[label]
    before, count = snapshot(obj), type(obj)._default_manager.count()

    assert client.get(url(label, "changelist")).status_code == 200
    page = client.get(url(label, "change", obj.pk))
    assert (page.status_code, page.context["has_change_permission"]) == (200, False)
    assert client.get(url(label, "add")).status_code == 403

    vanilla = admin.ModelAdmin(type(obj), admin.site)  # the form an unguarded admin would take
    for field, value in RECORDS[label].items():
        post = complete_post(vanilla, obj, world.root, {field: value})
        assert client.post(url(label, "change", obj.pk), post).status_code == 403, field
        assert snapshot(obj) == before, field
    forged = complete_post(vanilla, obj, world.root, RECORDS[label])
    assert client.post(url(label, "add"), forged).status_code == 403

    assert client.post(url(label, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert "delete_selected" not in admin.site._registry[type(obj)].get_actions(request_as(user))
    client.post(url(label, "changelist"), {"action": "delete_selected", ACTION_CHECKBOX_NAME: [obj.pk], "post": "yes"})
    assert (type(obj)._default_manager.count(), snapshot(obj)) == (count, before)


def test_the_issue_s_rewrites_are_refused(world: SimpleNamespace) -> None:
    """Done when: a report's result, a label's dates, an organisation's state, a superuser."""
    client = client_for(world.office)
    report, label, organisation = world.report, world.label, world.objects["clusters.clusterorganisation"]
    tries: list[tuple[str, models.Model, dict[str, Any]]] = [
        ("assessments.assessmentreport", report, {"passed": "True", "score_percent": "97.50"}),
        ("labels.label", label, {"valid_until": "2099-12-31"}),
        ("clusters.clusterorganisation", organisation, {"state": OrganisationState.ACTIVE}),
    ]
    for label_name, obj, changes in tries:
        post = complete_post(admin.ModelAdmin(type(obj), admin.site), obj, world.root, changes)
        assert client.post(url(label_name, "change", obj.pk), post).status_code == 403

    user_admin = admin.site._registry[User]
    post = complete_post(user_admin, world.manager, world.root, {"is_superuser": "on", "is_staff": "on"})
    assert client.post(url("accounts.user", "change", world.manager.pk), post).status_code == 403
    own = complete_post(user_admin, world.office, world.root, {"is_superuser": "on"})
    assert client.post(url("accounts.user", "change", world.office.pk), own).status_code == 403

    report.refresh_from_db()
    label.refresh_from_db()
    organisation.refresh_from_db()
    assert (report.passed, report.score_percent) == (False, Decimal("0.00"))
    assert label.valid_until == date(2028, 3, 31)
    assert organisation.state == OrganisationState.PENDING
    assert User.objects.filter(is_superuser=True).count() == 1
    assert len(transitions_of(organisation)) == 1


def test_a_forged_transition_cannot_be_added(world: SimpleNamespace) -> None:
    client = client_for(world.office)
    organisation = world.objects["clusters.clusterorganisation"]
    post = {
        "content_type": ContentType.objects.get_for_model(organisation).pk,
        "object_id": organisation.pk,
        "action": "organisation.state",
        "at_0": "2026-01-01",
        "at_1": "10:00:00",
        "data": '{"state": ["pending", "active"]}',
        "reason": "validated",
    }

    response = client.post(url("common.activitylog", "add"), post)

    assert response.status_code == 403
    assert len(transitions_of(organisation)) == 1


def test_deleting_an_organisation_would_take_its_history_and_is_refused(world: SimpleNamespace) -> None:
    client = client_for(world.root)
    organisation = world.objects["clusters.clusterorganisation"]

    assert (
        client.post(url("clusters.clusterorganisation", "delete", organisation.pk), {"post": "yes"}).status_code == 403
    )
    assert len(transitions_of(organisation)) == 1


def test_the_report_with_a_pdf_shows_its_file_name_without_a_link(world: SimpleNamespace) -> None:
    for user in (world.office, world.root):
        for label_name, obj, name in [
            ("assessments.assessmentreport", world.report, world.report.pdf.name),
            ("labels.label", world.label, world.label.certificate.name),
        ]:
            response = client_for(user).get(url(label_name, "change", obj.pk))

            assert response.status_code == 200
            html = response.content.decode()
            assert name in html
            assert f'href="{name}' not in html and "/media/" + name not in html


def test_private_files_are_never_in_a_form() -> None:
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, PrivateFilesAdmin) and model_admin.private_files:
            assert set(model_admin.private_files) <= set(model_admin.get_readonly_fields(request_as(User()))), model


@pytest.mark.parametrize("label", sorted(ACCESS))
def test_the_office_reads_access_but_cannot_write_it(world: SimpleNamespace, label: str) -> None:
    client = client_for(world.office)
    obj = world.objects[label]
    before, count = snapshot(obj), type(obj)._default_manager.count()
    post = complete_post(admin.site._registry[type(obj)], obj, world.root, ACCESS[label])
    sees_it = label != "accounts.rolegrant"  # roles: only a superuser even sees them

    assert client.get(url(label, "changelist")).status_code == (200 if sees_it else 403)
    assert client.get(url(label, "change", obj.pk)).status_code == (200 if sees_it else 403)
    assert client.post(url(label, "change", obj.pk), post).status_code == 403
    assert client.post(url(label, "add"), post).status_code == 403
    assert client.post(url(label, "delete", obj.pk), {"post": "yes"}).status_code == 403
    client.post(url(label, "changelist"), {"action": "delete_selected", ACTION_CHECKBOX_NAME: [obj.pk], "post": "yes"})
    assert (snapshot(obj), type(obj)._default_manager.count()) == (before, count)


def test_the_office_sees_no_access_fields_and_sets_no_password(world: SimpleNamespace) -> None:
    client = client_for(world.office)

    page = client.get(url("accounts.user", "change", world.manager.pk))
    password = client.post(
        reverse("admin:auth_user_password_change", args=[world.root.pk]),
        {"password1": "taken-over-42-xyz", "password2": "taken-over-42-xyz", "set-password": "1"},
    )

    shown = {field.field["name"] for fieldset in page.context["adminform"] for line in fieldset for field in line}
    assert {"email", "full_name", "is_active"} <= shown
    assert shown.isdisjoint({"password", "is_staff", "is_superuser", "groups", "user_permissions"})
    assert page.context["inline_admin_formsets"] == []
    assert password.status_code == 403
    world.root.refresh_from_db()
    assert world.root.check_password("a-long-root-password-42")


def test_other_admin_models_stay_closed_to_the_office(world: SimpleNamespace) -> None:
    client = client_for(world.office)

    for label in sorted(NOT_THE_OFFICES):
        assert client.get(url(label, "changelist")).status_code == 403, label


def test_a_superuser_makes_someone_superuser(world: SimpleNamespace) -> None:
    client = client_for(world.root)
    person = world.manager
    post = complete_post(admin.site._registry[User], person, world.root, {"is_superuser": "on", "is_staff": "on"})

    response = client.post(url("accounts.user", "change", person.pk), post)

    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.is_staff, person.is_superuser) == (True, True)


def test_a_superuser_gives_a_role_through_the_logged_service(world: SimpleNamespace) -> None:
    client = client_for(world.root)
    person = world.manager
    post = complete_post(admin.site._registry[User], person, world.root, {})
    post.update(
        {
            "role_grants-TOTAL_FORMS": "1",
            "role_grants-0-role": StaffRole.LABEL_COMMITTEE,
            "role_grants-0-note": "board member since May",
        }
    )

    response = client.post(url("accounts.user", "change", person.pk), post)

    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=person)
    assert (grant.role, grant.granted_by, grant.note) == (
        StaffRole.LABEL_COMMITTEE,
        world.root,
        "board member since May",
    )
    entry = history_of(person).get()
    assert (entry.action, entry.actor, entry.data, entry.reason) == (
        "person.role_granted",
        world.root,
        {"role": StaffRole.LABEL_COMMITTEE},
        "board member since May",
    )


def test_a_superuser_takes_a_role_away_through_the_logged_service(world: SimpleNamespace) -> None:
    client = client_for(world.root)
    grant = RoleGrant.objects.get(user=world.office)

    response = client.post(url("accounts.rolegrant", "delete", grant.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    entry = history_of(world.office).filter(action="person.role_revoked").get()
    assert (entry.actor, entry.data) == (world.root, {"role": StaffRole.LABEL_OFFICE})


def test_a_superuser_adds_a_role_in_the_role_admin(world: SimpleNamespace) -> None:
    client = client_for(world.root)

    response = client.post(
        url("accounts.rolegrant", "add"),
        {"user": world.manager.pk, "role": StaffRole.POLICY_READER, "note": "statistics"},
    )

    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=world.manager)
    assert (grant.role, grant.granted_by) == (StaffRole.POLICY_READER, world.root)


def test_the_role_services_refuse_anyone_but_a_superuser(world: SimpleNamespace) -> None:
    with pytest.raises(ActionRefused):
        role_grant(user=world.office, role=StaffRole.LABEL_COMMITTEE, by=world.office)
    with pytest.raises(ActionRefused):
        role_revoke(user=world.office, role=StaffRole.LABEL_OFFICE, by=world.office)

    assert list(RoleGrant.objects.filter(user=world.office).values_list("role", flat=True)) == [StaffRole.LABEL_OFFICE]


def test_the_office_still_authors_questionnaires(world: SimpleNamespace) -> None:
    client = client_for(world.office)
    published = QuestionnaireVersion.objects.get(questionnaire__level=Level.GOLD)

    response = client.post(
        url("assessments.questionnaireversion", "changelist"),
        {"action": "new_draft", ACTION_CHECKBOX_NAME: [published.pk]},
    )

    assert response.status_code == 302
    draft = QuestionnaireVersion.objects.get(questionnaire__level=Level.GOLD, status=VersionStatus.DRAFT)
    page = client.get(url("assessments.questionnaireversion", "change", draft.pk))
    assert (page.status_code, page.context["has_change_permission"]) == (200, True)


def test_no_group_lets_the_office_grant_itself_more(world: SimpleNamespace) -> None:
    """The office's group holds every permission of the portal's apps, none of
    Django's auth app: it cannot grow the group from the admin."""
    group = Group.objects.get(user=world.office)

    assert client_for(world.office).get(url("auth.group", "change", group.pk)).status_code == 403
