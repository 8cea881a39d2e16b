"""Retention runs by itself: what is past its period goes, with a history row each; nothing else does."""

from __future__ import annotations

import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import models
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from assessments.models import Application, Evidence, QuestionnaireVersion
from clusters.models import Membership
from common.files import private_storage
from common.models import ActivityLog, Notification
from privacy.models import DataExport
from privacy.retention import retention_preview
from privacy.tasks import retention_task
from tests.assessments import conftest as assessments_fixtures
from tests.assessments.test_applications import answer_all, start, upload
from tests.assessments.test_workflow import submitted
from tests.factories import LabelFactory, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
bronze = assessments_fixtures.bronze
ELIGIBLE = assessments_fixtures.ELIGIBLE


def _aged(model: type[models.Model], pk: int, **fields: object) -> None:
    model._default_manager.filter(pk=pk).update(**fields)


@pytest.fixture
def world(bronze: QuestionnaireVersion, manager: Membership) -> SimpleNamespace:
    """Of each kind, one row past its period and one within it."""
    now, today = timezone.now(), timezone.localdate()
    lapsed_case = submitted(manager)
    LabelFactory(
        organisation=manager.organisation,
        application=lapsed_case,
        valid_from=today - timedelta(days=5 * 365),
        assessed_on=today - timedelta(days=5 * 365),
        # Lapsed 3 years ago: the Bronze window (12 months) closed 2 years ago, plus 365 days.
        valid_until=today - timedelta(days=3 * 365),
    )
    other = MembershipFactory(organisation=OrganisationFactory(**ELIGIBLE))
    current_case = submitted(other)
    LabelFactory(organisation=other.organisation, application=current_case)

    drafter = MembershipFactory(organisation=OrganisationFactory(**ELIGIBLE))
    old_draft = start(drafter)
    answer_all(old_draft, drafter.user)
    old_draft_file = upload(old_draft, drafter.user)
    long_ago = now - timedelta(days=400)
    _aged(Application, old_draft.pk, created_at=long_ago)
    old_draft.answers.update(updated_at=long_ago)
    _aged(Evidence, old_draft_file.pk, uploaded_at=long_ago)
    # Started long ago but answered last week: not abandoned.
    busy = MembershipFactory(organisation=OrganisationFactory(**ELIGIBLE))
    busy_draft = start(busy)
    answer_all(busy_draft, busy.user)
    _aged(Application, busy_draft.pk, created_at=long_ago)

    old_note = Notification.objects.create(user=manager.user, title="old")
    _aged(Notification, old_note.pk, created_at=now - timedelta(days=366))
    new_note = Notification.objects.create(user=manager.user, title="new")
    old_attempt = AccessAttempt.objects.create(
        username="x@example.test", ip_address="10.0.0.1", user_agent="t", failures_since_start=1
    )
    _aged(AccessAttempt, old_attempt.pk, attempt_time=now - timedelta(days=91))
    new_attempt = AccessAttempt.objects.create(
        username="y@example.test", ip_address="10.0.0.2", user_agent="t", failures_since_start=1
    )
    expired = DataExport.objects.create(user=manager.user, token="expired", ready_at=now, expires_at=now)
    expired.file.save("old.zip", ContentFile(b"zip"))
    offered = DataExport.objects.create(
        user=manager.user, token="offered", ready_at=now, expires_at=now + timedelta(hours=1)
    )
    offered.file.save("new.zip", ContentFile(b"zip"))
    return SimpleNamespace(
        lapsed_evidence=list(lapsed_case.evidence.values_list("pk", "file")),
        current_evidence=list(current_case.evidence.values_list("pk", flat=True)),
        old_draft=old_draft,
        old_draft_file=old_draft_file.file.name,
        busy_draft=busy_draft,
        old_note=old_note,
        new_note=new_note,
        old_attempt=old_attempt,
        new_attempt=new_attempt,
        expired=expired,
        expired_file=expired.file.name,
        offered=offered,
    )


manager = assessments_fixtures.manager
organisation = assessments_fixtures.organisation


def doomed_ids(w: SimpleNamespace) -> set[tuple[str, int]]:
    return {
        *(("evidence", pk) for pk, _file in w.lapsed_evidence),
        ("abandoned draft", w.old_draft.pk),
        ("notification", w.old_note.pk),
        ("data export", w.expired.pk),
        ("login record (access attempt)", w.old_attempt.pk),
    }


def test_dry_run_lists_exactly_what_is_past_its_period_and_deletes_nothing(world: SimpleNamespace) -> None:
    rows_before = (Evidence.objects.count(), Application.objects.count(), Notification.objects.count())
    out = io.StringIO()

    call_command("retention", dry_run=True, stdout=out)

    assert {(kind, pk) for kind, _rule, pk in retention_preview()} == doomed_ids(world)
    assert f"would delete abandoned draft {world.old_draft.pk}" in out.getvalue()
    assert (Evidence.objects.count(), Application.objects.count(), Notification.objects.count()) == rows_before
    assert ActivityLog.objects.filter(action="retention.deleted").count() == 0


def test_the_periodic_task_deletes_what_is_past_its_period_with_a_history_row_each(
    world: SimpleNamespace, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        retention_task.delay()

    logged = {(row.data["kind"], row.data["id"]) for row in ActivityLog.objects.filter(action="retention.deleted")}
    assert logged == doomed_ids(world)
    assert ActivityLog.objects.filter(action="retention.deleted", actor__isnull=False).count() == 0
    assert not Evidence.objects.filter(pk__in=[pk for pk, _file in world.lapsed_evidence]).exists()
    assert not Application.objects.filter(pk=world.old_draft.pk).exists()
    assert not Notification.objects.filter(pk=world.old_note.pk).exists()
    assert not AccessAttempt.objects.filter(pk=world.old_attempt.pk).exists()
    assert not DataExport.objects.filter(pk=world.expired.pk).exists()
    gone_files = [name for _pk, name in world.lapsed_evidence] + [world.old_draft_file, world.expired_file]
    assert [name for name in gone_files if private_storage.exists(name)] == []
    # Within their periods: kept.
    assert Evidence.objects.filter(pk__in=world.current_evidence).count() == len(world.current_evidence)
    assert Application.objects.filter(pk=world.busy_draft.pk).exists()
    assert Notification.objects.filter(pk=world.new_note.pk).exists()
    assert AccessAttempt.objects.filter(pk=world.new_attempt.pk).exists()
    assert private_storage.exists(str(DataExport.objects.get(pk=world.offered.pk).file.name))


def test_a_second_run_finds_nothing(world: SimpleNamespace) -> None:
    retention_task.delay()
    rows = ActivityLog.objects.count()

    retention_task.delay()

    assert retention_preview() == []
    assert ActivityLog.objects.count() == rows


def test_the_periods_come_from_the_settings(world: SimpleNamespace, settings: object) -> None:
    settings.PRIVACY_RETENTION_DAYS = {  # type: ignore[attr-defined]
        "evidence_after_window": 365 * 10,
        "abandoned_draft": 365 * 10,
        "notification": 365 * 10,
        "login_attempt": 365 * 10,
    }

    assert {kind for kind, _rule, _pk in retention_preview()} == {"data export"}


def test_an_old_draft_that_was_invoiced_is_kept_with_its_invoice(world: SimpleNamespace) -> None:
    """Invoices are kept by law: a draft the office invoiced is no abandoned paperwork, whatever its age."""
    from accounts.enums import StaffRole
    from billing.services import invoice_issue
    from tests.factories import RoleGrantFactory

    office = RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user
    invoice = invoice_issue(application=world.old_draft, by=office)

    retention_task()

    assert Application.objects.filter(pk=world.old_draft.pk).exists()
    assert world.old_draft.invoices.filter(pk=invoice.pk).exists()
