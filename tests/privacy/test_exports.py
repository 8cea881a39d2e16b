"""A person's copy of their data: built by the worker, everything about them and nothing else, one download."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from assessments.models import QuestionnaireVersion
from clusters.models import Membership
from common.models import ActivityLog, Notification
from privacy.exports import export_request
from privacy.models import DataExport
from tests.assessments import conftest as assessments_fixtures
from tests.assessments.test_applications import PDF, start, upload
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
bronze = assessments_fixtures.bronze
organisation = assessments_fixtures.organisation
manager = assessments_fixtures.manager


def requested(client: Client, capture: DjangoCaptureOnCommitCallbacks) -> DataExport:
    with capture(execute=True):
        answer = client.post(reverse("privacy:export_request"))
    assert answer.status_code == 302
    return DataExport.objects.get()


def test_a_manager_downloads_everything_about_him_once(
    client: Client,
    bronze: QuestionnaireVersion,
    manager: Membership,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    me = manager.user
    draft = start(manager)
    upload(draft, me, name="our-statutes.pdf")
    Notification.objects.create(user=me, title="Welcome aboard")
    stranger = MembershipFactory()
    Notification.objects.create(user=stranger.user, title="Someone else's news")
    client.force_login(me)

    export = requested(client, django_capture_on_commit_callbacks)
    acted = sorted(ActivityLog.objects.filter(actor=me).values_list("action", flat=True))
    page = client.get(reverse("privacy:my_data")).content.decode()
    link = reverse("privacy:export_download", kwargs={"token": export.token})
    assert link in page
    answer = client.get(link)

    assert answer.status_code == 200
    content = b"".join(answer.streaming_content)  # type: ignore[attr-defined]
    archive = zipfile.ZipFile(io.BytesIO(content))
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == me.email
    assert [m["organisation__name"] for m in data["memberships"]] == [manager.organisation.name]
    assert [n["title"] for n in data["notifications"]] == ["Welcome aboard"]
    assert sorted(row["action"] for row in data["history"]) == acted
    assert "data_export.requested" in acted and len(acted) > 2  # the draft's start and upload too
    (evidence,) = data["uploaded_files"]
    assert archive.read(f"files/{evidence['id']}-our-statutes.pdf") == PDF
    assert stranger.user.email not in archive.read("data.json").decode()
    # Told by mail, with a link to the data page and not to the download itself.
    (told,) = [m for m in mail.outbox if m.to == [me.email]]
    assert reverse("privacy:my_data") in told.body and export.token not in told.body
    # Single use: the link is spent.
    assert client.get(link).status_code == 410
    assert ActivityLog.objects.filter(action="data_export.downloaded", actor=me).count() == 1


def test_nobody_else_opens_the_link(
    client: Client, manager: Membership, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client.force_login(manager.user)
    export = requested(client, django_capture_on_commit_callbacks)
    client.force_login(MembershipFactory().user)

    assert client.get(reverse("privacy:export_download", kwargs={"token": export.token})).status_code == 403
    assert DataExport.objects.get().downloaded_at is None


def test_nobody_asks_for_a_copy_of_someone_elses_data(manager: Membership) -> None:
    with pytest.raises(PermissionDenied):
        export_request(user=MembershipFactory().user, by=manager.user)

    assert DataExport.objects.count() == 0


def test_an_expired_copy_is_gone(
    client: Client, manager: Membership, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client.force_login(manager.user)
    export = requested(client, django_capture_on_commit_callbacks)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert client.get(reverse("privacy:export_download", kwargs={"token": export.token})).status_code == 410


def test_the_copy_is_offered_for_the_configured_hours(
    client: Client,
    manager: Membership,
    settings: object,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.PRIVACY_EXPORT_HOURS = 5  # type: ignore[attr-defined]
    client.force_login(manager.user)

    export = requested(client, django_capture_on_commit_callbacks)

    assert (export.expires_at, export.ready_at) != (None, None)
    assert export.expires_at - export.ready_at == timedelta(hours=5)  # type: ignore[operator]
    assert ActivityLog.objects.filter(action="data_export.built", actor__isnull=True).count() == 1
