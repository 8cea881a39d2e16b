"""Bulk regeneration of certificates, and the level logos."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from accounts.enums import StaffRole
from accounts.models import User
from common.enums import Level
from labels.certificates.rendering import certificate_render
from labels.enums import LabelSource
from labels.models import CertificateJob, Label
from labels.services import label_create
from tests.factories import OrganisationFactory, RoleGrantFactory

IMPORT = LabelSource.IMPORT


@pytest.fixture
def certified(db: None, settings: Settings, tmp_path: Path) -> list[Label]:
    settings.MEDIA_ROOT = tmp_path
    labels = [
        label_create(
            organisation=OrganisationFactory(),
            level=Level.BRONZE,
            assessed_on=timezone.localdate(),
            source=LabelSource.APPLICATION,
        )
        for _ in range(3)
    ]
    return [certificate_render(label=label) for label in labels]


def test_bulk_regeneration_renders_only_what_changed(
    client: Client, certified: list[Label], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    corrected = certified[0]
    corrected.awarded_name = "Renamed Cluster"  # the name as printed, corrected
    corrected.save()
    client.force_login(RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("labels:certificates_regenerate"))

    job = CertificateJob.objects.get()
    assert response["Location"] == reverse("labels:certificate_job", args=[job.pk])
    assert (job.state, job.total, job.processed, job.rendered, job.failed) == ("done", 3, 3, 1, [])
    page = client.get(response["Location"])
    assert "1 of 3 certificates rendered again" in page.content.decode()


def test_bulk_regeneration_covers_every_current_label_without_a_certificate(
    client: Client, certified: list[Label], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    organisation = OrganisationFactory()
    old = label_create(organisation=organisation, level=Level.BRONZE, assessed_on=date(2019, 5, 2), source=IMPORT)
    current = label_create(organisation=organisation, level=Level.BRONZE, assessed_on=date(2021, 5, 2), source=IMPORT)
    revoked = label_create(
        organisation=OrganisationFactory(), level=Level.GOLD, assessed_on=date(2024, 1, 9), source=IMPORT
    )
    Label.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now(), revoke_reason="Misrepresented")
    client.force_login(RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("labels:certificates_regenerate"))

    job = CertificateJob.objects.get()
    assert (job.state, job.total, job.processed, job.rendered, job.failed) == ("done", 4, 4, 1, [])
    assert [bool(Label.objects.get(pk=label.pk).certificate) for label in (current, old, revoked)] == [
        True,
        False,
        False,
    ]
    assert "1 of 4 certificates rendered again" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("role", ["manager", "committee", "outsider"])
def test_only_the_office_regenerates(client: Client, people: dict[str, User], role: str) -> None:
    client.force_login(people[role])

    assert client.post(reverse("labels:certificates_regenerate")).status_code == 403
    assert CertificateJob.objects.count() == 0


@pytest.mark.parametrize("level", ["bronze", "silver", "gold"])
def test_logos_are_served_as_svg_and_png(client: Client, db: None, level: str) -> None:
    svg = client.get(reverse("labels:logo", args=[level, "svg"]))
    png = client.get(reverse("labels:logo", args=[level, "png"]))

    assert (svg["Content-Type"], png["Content-Type"]) == ("image/svg+xml", "image/png")
    assert svg.content.startswith(b"<svg") and level.upper().encode() in svg.content
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_logo_is_404(client: Client, db: None) -> None:
    assert client.get(reverse("labels:logo", args=["platinum", "svg"])).status_code == 404
