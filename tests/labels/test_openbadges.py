"""Labels as signed Open Badges 3.0 credentials, with revocation in a status list."""

from __future__ import annotations

import base64
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from common.enums import Level
from labels import openbadges
from labels.enums import LabelSource
from labels.models import Label
from labels.services import label_create
from tests.factories import OrganisationFactory


@pytest.fixture
def label(db: None) -> Label:
    return label_create(
        organisation=OrganisationFactory(name="Badge Cluster", country="DE"),
        level=Level.GOLD,
        assessed_on=timezone.localdate(),
        source=LabelSource.APPLICATION,
        score=Decimal("91.00"),
    )


def test_credential_is_an_open_badge_with_validity_and_a_valid_signature(
    client: Client, label: Label, settings: Settings
) -> None:
    credential = client.get(f"/labels/openbadges/{label.code}.json").json()

    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert (credential["validFrom"][:10], credential["validUntil"][:10]) == (
        label.valid_from.isoformat(),
        label.valid_until.isoformat(),
    )
    assert credential["credentialSubject"]["achievement"]["name"] == "Gold cluster management excellence label"
    assert credential["evidence"][0]["id"] == f"{settings.SITE_URL}/verify/{label.code}/"
    assert credential["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert openbadges.verify_signature(credential, openbadges.signing_key().public_key()) is True


def test_tampered_credential_fails_verification(label: Label) -> None:
    credential = openbadges.credential_for(label)
    credential["validUntil"] = "2099-12-31T23:59:59Z"

    assert openbadges.verify_signature(credential, openbadges.signing_key().public_key()) is False


def test_issuer_profile_publishes_the_verification_key(client: Client, db: None) -> None:
    profile = client.get("/labels/openbadges/issuer.json").json()

    key = profile["verificationMethod"][0]
    assert key["publicKeyMultibase"] == openbadges.public_key_multibase(openbadges.signing_key().public_key())
    assert key["id"] == openbadges.verification_method()


def test_status_list_reflects_revocation(client: Client, label: Label) -> None:
    before = client.get("/labels/openbadges/status.json").json()
    Label.objects.filter(pk=label.pk).update(revoked_at=timezone.now(), revoke_reason="x")
    after = client.get("/labels/openbadges/status.json").json()

    index = int(openbadges.credential_for(label)["credentialStatus"]["statusListIndex"])
    assert (openbadges.is_revoked_in(before, index), openbadges.is_revoked_in(after, index)) == (False, True)
    assert openbadges.verify_signature(after, openbadges.signing_key().public_key()) is True


def test_configured_key_is_used(label: Label, settings: Settings) -> None:
    import base64

    settings.OPENBADGES_SIGNING_KEY = base64.b64encode(bytes(range(32))).decode()

    credential = openbadges.credential_for(label)

    assert openbadges.verify_signature(credential, openbadges.signing_key().public_key()) is True
    assert openbadges.public_key_multibase(openbadges.signing_key().public_key()).startswith("z6Mk")


def test_achievement_address_serves_what_the_credential_describes(
    client: Client, label: Label, settings: Settings
) -> None:
    described = openbadges.credential_for(label)["credentialSubject"]["achievement"]

    served = client.get(described["id"].removeprefix(settings.SITE_URL)).json()

    assert served["id"] == described["id"]
    assert (served["name"], served["criteria"]) == (described["name"], described["criteria"])
    assert served["type"] == ["Achievement"]


def key_entry(key_id: str, seed: int, starts: date) -> dict[str, str]:
    return {"id": key_id, "key": base64.b64encode(bytes([seed]) * 32).decode(), "valid_from": starts.isoformat()}


def test_credentials_signed_before_a_rotation_keep_verifying(label: Label, settings: Settings) -> None:
    today = timezone.localdate()
    settings.OPENBADGES_KEYS = [key_entry("key-1", 1, today - timedelta(days=400))]
    before = openbadges.credential_for(label)

    settings.OPENBADGES_KEYS = [*settings.OPENBADGES_KEYS, key_entry("key-2", 2, today)]
    after = openbadges.credential_for(label)

    signed_by = [c["proof"]["verificationMethod"].rsplit("#", 1)[1] for c in (before, after)]
    assert signed_by == ["key-1", "key-2"]
    assert (openbadges.verify_credential(before), openbadges.verify_credential(after)) == (True, True)
    assert openbadges.verify_signature(before, openbadges.signing_key().public_key()) is False  # the new key signs


def test_a_key_listed_ahead_of_its_day_is_published_but_does_not_sign(label: Label, settings: Settings) -> None:
    today = timezone.localdate()
    settings.OPENBADGES_KEYS = [
        key_entry("key-1", 1, today - timedelta(days=400)),
        key_entry("key-2", 2, today + timedelta(days=30)),
    ]

    credential = openbadges.credential_for(label)

    assert credential["proof"]["verificationMethod"].endswith("#key-1")
    assert [key.id for key in openbadges.issuer_keys()] == ["key-1", "key-2"]


def test_issuer_profile_lists_every_key_with_its_period(client: Client, db: None, settings: Settings) -> None:
    settings.OPENBADGES_KEYS = [key_entry("key-2", 2, date(2026, 6, 1)), key_entry("key-1", 1, date(2024, 1, 1))]

    profile = client.get("/labels/openbadges/issuer.json").json()

    periods = [(k["id"].split("#")[1], k.get("validFrom"), k.get("validUntil")) for k in profile["verificationMethod"]]
    assert periods == [("key-1", "2024-01-01", "2026-06-01"), ("key-2", "2026-06-01", None)]
    assert len({k["publicKeyMultibase"] for k in profile["verificationMethod"]}) == 2


def test_a_credential_naming_an_unknown_key_does_not_verify(label: Label, settings: Settings) -> None:
    settings.OPENBADGES_KEYS = [key_entry("key-1", 1, date(2024, 1, 1))]
    credential = openbadges.credential_for(label)

    settings.OPENBADGES_KEYS = [key_entry("key-9", 9, date(2024, 1, 1))]

    assert openbadges.verify_credential(credential) is False
