"""Labels as signed Open Badges 3.0 credentials, with revocation in a status list."""

from __future__ import annotations

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
