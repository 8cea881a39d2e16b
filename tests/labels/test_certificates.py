"""Certificates rendered once per set of facts; public verification tells the current truth."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from accounts.enums import StaffRole
from accounts.models import User
from common.enums import Level
from labels.certificates.rendering import certificate_document, certificate_render, verify_url
from labels.enums import CertificateLanguage, LabelSource
from labels.models import Label
from labels.selectors import label_events_of
from labels.services import label_create
from tests.conftest import missing
from tests.factories import MembershipFactory, OrganisationFactory, RoleGrantFactory, UserFactory
from tests.files import stored_name


@pytest.fixture
def label(db: None) -> Label:
    organisation = OrganisationFactory(name="Sava Digital Cluster", country="RS")
    return label_create(
        organisation=organisation, level=Level.BRONZE, assessed_on=timezone.localdate(), source=LabelSource.APPLICATION
    )


@pytest.fixture(autouse=True)
def fresh_rate_limit() -> None:
    cache.clear()


def test_certificate_is_a_pdf_rendered_once_for_the_same_facts(
    label: Label, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path

    first = certificate_render(label=label)
    again = certificate_render(label=label)

    assert first.certificate.name == again.certificate.name
    assert first.certificate.read()[:5] == b"%PDF-"
    assert verify_url(label) == f"{settings.SITE_URL}/verify/{label.code}/"


def test_changed_facts_render_a_new_certificate(label: Label, settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    first = certificate_render(label=label).certificate.name
    label.awarded_name = "Sava Digital Cluster Association"
    label.save()

    second = certificate_render(label=label).certificate.name

    assert second != first


def test_a_later_name_of_the_organisation_changes_no_certificate_and_verification_says_both(
    client: Client, label: Label, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    first = certificate_render(label=label).certificate.name
    label.organisation.name = "Sava Digital Cluster Association"
    label.organisation.save()

    second = certificate_render(label=label).certificate.name
    page = client.get(reverse("verify", args=[label.code]))

    assert second == first
    assert page.context["label"].awarded_name == "Sava Digital Cluster"
    body = page.content.decode()
    assert 'data-testid="organisation">Sava Digital Cluster <span' in body
    assert "(now Sava Digital Cluster Association)" in body


def test_verification_shows_a_valid_label(client: Client, label: Label) -> None:
    response = client.get(reverse("verify", args=[label.code.lower()]))

    assert response.status_code == 200
    assert response.context["state"] == "valid"
    assert "Sava Digital Cluster" in response.content.decode()


def test_verification_says_revoked_and_why(client: Client, label: Label) -> None:
    Label.objects.filter(pk=label.pk).update(revoked_at=timezone.now(), revoke_reason="Eligibility misrepresented")

    response = client.get(reverse("verify", args=[label.code]))

    assert response.context["state"] == "revoked"
    assert "Eligibility misrepresented" in response.content.decode()


def test_verification_says_lapsed(client: Client, db: None) -> None:
    old = label_create(
        organisation=OrganisationFactory(), level=Level.BRONZE, assessed_on=date(2012, 4, 18), source=LabelSource.IMPORT
    )

    response = client.get(reverse("verify", args=[old.code]))

    assert response.context["state"] == "lapsed"


def test_unknown_code_gets_a_friendly_404_with_a_search_box(client: Client, db: None) -> None:
    response = client.get(reverse("verify", args=["RS-B-2026-XXXX"]))

    assert response.status_code == 404
    assert 'name="code"' in response.content.decode()


def test_verification_is_rate_limited(client: Client, label: Label, settings: Settings) -> None:
    limit = settings.VERIFY_UNKNOWN_CODES_LIMIT
    answers = [client.get(reverse("verify", args=[f"RS-B-2026-{n:04d}"])).status_code for n in range(limit + 1)]

    assert answers[:limit] == [404] * limit
    assert answers[limit] == 429


def test_certificate_download_is_for_the_organisation_and_staff(
    client: Client, label: Label, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    member = MembershipFactory(organisation=label.organisation).user
    url = reverse("labels:certificate_download", args=[label.code])

    client.force_login(member)
    pending = client.get(url)
    certificate_render(label=label)
    ready = client.get(url)
    client.force_login(MembershipFactory().user)
    other = client.get(url)
    client.force_login(UserFactory())
    outsider = client.get(url)

    assert pending.status_code == 202
    assert ready["Content-Type"] == "application/pdf"
    assert (other.status_code, outsider.status_code) == (404, 404)


def test_manager_start_page_lists_current_labels(client: Client, label: Label) -> None:
    client.force_login(MembershipFactory(organisation=label.organisation).user)

    response = client.get(reverse("clusters:manager_start"))

    assert reverse("labels:certificate_download", args=[label.code]) in response.content.decode()


def test_office_revokes_with_a_reason_and_verification_says_so(
    client: Client,
    label: Label,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    settings: Settings,
    tmp_path: Path,
) -> None:
    from accounts.enums import StaffRole
    from tests.factories import RoleGrantFactory

    settings.MEDIA_ROOT = tmp_path
    office = RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user
    client.force_login(office)
    url = reverse("labels:label_revoke", args=[label.code])

    refused = client.post(url, {"reason": " "}, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"reason": "The organisation misrepresented its members."})

    assert refused.status_code == 400
    assert "Reason (shown on the verification page): This field is required." in refused.content.decode()
    label.refresh_from_db()
    assert (label.revoke_reason, [e.kind for e in label_events_of(label)]) == (
        "The organisation misrepresented its members.",
        ["revoked"],
    )
    assert label.certificate  # rendered again after the revocation
    client.logout()
    assert client.get(reverse("verify", args=[label.code])).context["state"] == "revoked"


def test_office_corrects_the_end_date_with_history(client: Client, label: Label) -> None:
    from accounts.enums import StaffRole
    from tests.factories import RoleGrantFactory

    client.force_login(RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user)
    old = label.valid_until

    client.post(
        reverse("labels:label_correct", args=[label.code]),
        {"valid_until": "2030-01-31", "reason": "Typo in the import"},
    )

    label.refresh_from_db()
    assert label.valid_until == date(2030, 1, 31)
    assert [e.changes for e in label_events_of(label)] == [{"valid_until": [old.isoformat(), "2030-01-31"]}]


@pytest.mark.parametrize("role", ["manager", "committee", "outsider"])
def test_only_the_office_manages_labels(client: Client, label: Label, people: dict[str, User], role: str) -> None:
    client.force_login(people[role])

    response = client.post(reverse("labels:label_revoke", args=[label.code]), {"reason": "x"})

    assert response.status_code == 403
    label.refresh_from_db()
    assert label.revoked_at is None


def test_office_corrects_the_printed_name_with_history(client: Client, label: Label) -> None:
    from accounts.enums import StaffRole
    from tests.factories import RoleGrantFactory

    client.force_login(RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user)

    client.post(
        reverse("labels:label_correct", args=[label.code]),
        {
            "valid_until": label.valid_until.isoformat(),
            "organisation_name": "Sava Digital Cluster d.o.o.",
            "reason": "Legal name changed",
        },
    )

    label.refresh_from_db()
    assert (label.organisation.name, label.awarded_name) == (
        "Sava Digital Cluster d.o.o.",
        "Sava Digital Cluster d.o.o.",
    )
    assert [e.changes for e in label_events_of(label)] == [
        {
            "organisation_name": ["Sava Digital Cluster", "Sava Digital Cluster d.o.o."],
            "awarded_name": ["Sava Digital Cluster", "Sava Digital Cluster d.o.o."],
        }
    ]


def test_bilingual_certificate_prints_english_and_serbian(label: Label, settings: Settings, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        missing("poppler-utils (pdftotext) is not installed")  # fails instead under REQUIRE_SERVICES=1
    settings.MEDIA_ROOT = tmp_path
    english_only = certificate_render(label=label)
    english_text = _pdf_text(english_only.certificate.read(), tmp_path)
    label.certificate_language = CertificateLanguage.ENGLISH_SERBIAN
    label.save()

    with translation.override("sr"):  # whoever triggers the rendering, the certificate's languages are the label's
        bilingual = certificate_render(label=label)
    text = _pdf_text(bilingual.certificate.read(), tmp_path)

    assert bilingual.certificate.name != english_only.certificate.name
    assert "Cluster Management Excellence Label" in english_text
    assert "Oznaka izvrsnosti upravljanja klasterom" not in english_text
    assert "Oznaka izvrsnosti upravljanja klasterom" in text
    assert "Težnja ka izvrsnosti klastera" in text
    assert "Striving for Cluster Excellence" in text
    assert "Srbija" in text


def test_office_chooses_the_certificate_language(
    client: Client, label: Label, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user)
    url = reverse("labels:label_detail", args=[label.code])

    response = client.post(
        reverse("labels:label_certificate_language", args=[label.code]), {"certificate_language": "en+sr-latn"}
    )

    label.refresh_from_db()
    assert response.status_code == 302
    assert label.certificate_language == "en+sr-latn"
    assert [e.changes for e in label_events_of(label)] == [{"certificate_language": ["en", "en+sr-latn"]}]
    assert 'value="en+sr-latn" selected' in client.get(url).content.decode()


def _pdf_text(pdf: bytes, directory: Path) -> str:
    path = directory / "certificate.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


# --- Labels without a certificate (imported, seeded, or a lost file) ------------------


def test_certificate_download_without_one_queues_its_rendering_once(
    client: Client, label: Label, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client.force_login(MembershipFactory(organisation=label.organisation).user)
    url = reverse("labels:certificate_download", args=[label.code])

    with django_capture_on_commit_callbacks() as queued:
        answers = [client.get(url).status_code for _reload in range(3)]

    assert answers == [202, 202, 202]
    assert len(queued) == 1


def test_certificate_download_pending_page_ends_with_the_pdf(
    client: Client, label: Label, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    client.force_login(MembershipFactory(organisation=label.organisation).user)
    url = reverse("labels:certificate_download", args=[label.code])

    with django_capture_on_commit_callbacks(execute=True):
        pending = client.get(url)
    ready = client.get(url)

    assert pending.status_code == 202
    assert 'data-testid="certificate-pending" data-reload-after="3000"' in pending.content.decode()
    assert ready["Content-Type"] == "application/pdf"
    assert ready.getvalue()[:5] == b"%PDF-"


def test_certificate_download_renders_a_lost_file_again(
    client: Client, label: Label, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    rendered = certificate_render(label=label)
    rendered.certificate.storage.delete(stored_name(rendered.certificate))
    client.force_login(RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user)
    url = reverse("labels:certificate_download", args=[label.code])

    with django_capture_on_commit_callbacks(execute=True):
        pending = client.get(url)
    ready = client.get(url)

    assert (pending.status_code, ready["Content-Type"]) == (202, "application/pdf")


def test_a_refused_correction_gives_back_what_was_typed(client: Client, label: Label) -> None:
    client.force_login(RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user)

    response = client.post(
        reverse("labels:label_correct", args=[label.code]),
        {"valid_until": label.valid_from.isoformat(), "organisation_name": "Sava Cluster", "reason": "Typo <b>x</b>"},
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "The end of validity must come after its start" in body
    assert 'value="Sava Cluster"' in body
    assert ">Typo &lt;b&gt;x&lt;/b&gt;</textarea>" in body
    assert f'value="{label.valid_from.isoformat()}"' in body
    label.refresh_from_db()
    assert (label.organisation.name, len(label_events_of(label))) == ("Sava Digital Cluster", 0)


def test_a_wrong_date_in_a_correction_keeps_the_reason(client: Client, label: Label) -> None:
    client.force_login(RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user)

    response = client.post(
        reverse("labels:label_correct", args=[label.code]), {"valid_until": "31.01.2030", "reason": "Typo"}
    )

    assert response.status_code == 400
    assert "Valid until: Enter a valid date." in response.content.decode()
    assert ">Typo</textarea>" in response.content.decode()


@pytest.mark.parametrize("route", ["labels:label_revoke", "labels:label_correct", "labels:label_certificate_language"])
def test_label_actions_take_posts_only(client: Client, label: Label, route: str) -> None:
    client.force_login(RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user)

    assert client.get(reverse(route, args=[label.code])).status_code == 405


def test_a_certificate_printed_for_another_address_is_rendered_again_on_download(
    client: Client,
    label: Label,
    settings: Settings,
    tmp_path: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = "http://127.0.0.1:8000"
    old = certificate_render(label=label).certificate.name
    settings.SITE_URL = "http://127.0.0.1:8201"
    client.force_login(MembershipFactory(organisation=label.organisation).user)
    url = reverse("labels:certificate_download", args=[label.code])

    with django_capture_on_commit_callbacks(execute=True):
        pending = client.get(url)
    response = client.get(url)

    label.refresh_from_db()
    assert pending.status_code == 202
    assert response.status_code == 200
    assert label.certificate.name != old
    assert label.certificate_fingerprint == certificate_document(label).fingerprint
