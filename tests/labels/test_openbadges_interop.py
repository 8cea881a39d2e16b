"""The credentials' signatures are interoperable: the W3C test vectors of the
eddsa-jcs-2022 cryptosuite (w3c/vc-di-eddsa, TestVectors/eddsa-jcs-2022) come
out of the portal's signing byte for byte, and the portal's credentials pass a
verifier written here from the specification alone (RFC 8785 by the
``rfc8785`` library, Ed25519 by ``cryptography``), which shares no code with
``labels.openbadges``.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from common.enums import Level
from labels import openbadges
from labels.enums import LabelSource
from labels.models import Label
from labels.services import label_create
from tests.factories import OrganisationFactory

# --- The W3C test vectors (vc-di-eddsa, TestVectors/keyPair.json and eddsa-jcs-2022/) ---------------
PRIVATE_KEY_MULTIBASE = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
PUBLIC_KEY_MULTIBASE = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
UNSIGNED = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
}
CANONICAL_DOCUMENT = (
    '{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],'
    '"credentialSubject":{"alumniOf":"The School of Examples","id":"did:example:abcdefgh"},'
    '"description":"A minimum viable example of an Alumni Credential.",'
    '"id":"urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33","issuer":"https://vc.example/issuers/5678",'
    '"name":"Alumni Credential","type":["VerifiableCredential","AlumniCredential"],'
    '"validFrom":"2023-01-01T00:00:00Z"}'
)
VERIFICATION_METHOD = f"https://vc.example/issuers/5678#{PUBLIC_KEY_MULTIBASE}"
CREATED = datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)
PROOF_VALUE = "z63t83Y53KfzJ5ZosfKTnqfMcKB2dmTrfjSaQjeNNjAD5srBowQfmWqeRb8rRjmeEuCBEsddF9LsVogtuTsijJKh4"

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58_decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + ALPHABET.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def multibase_key(value: str, prefix: bytes) -> bytes:
    """A multibase (base58btc, 'z') multicodec key: ed25519-pub 0xed01, ed25519-priv 0x8026."""
    assert value.startswith("z")
    decoded = base58_decode(value[1:])
    assert decoded[:2] == prefix
    return decoded[2:]


def independent_verify(credential: dict[str, Any], public_key: Ed25519PublicKey) -> bool:
    """eddsa-jcs-2022 "Verify Proof", from the specification."""
    document = {key: value for key, value in credential.items() if key != "proof"}
    options = {key: value for key, value in credential["proof"].items() if key != "proofValue"}
    if options.get("cryptosuite") != "eddsa-jcs-2022" or options.get("type") != "DataIntegrityProof":
        return False
    if "@context" in options:
        if document.get("@context", [])[: len(options["@context"])] != options["@context"]:
            return False
        document["@context"] = options["@context"]
    data = hashlib.sha256(rfc8785.dumps(options)).digest() + hashlib.sha256(rfc8785.dumps(document)).digest()
    try:
        public_key.verify(base58_decode(credential["proof"]["proofValue"][1:]), data)
    except InvalidSignature:
        return False
    return True


def test_the_canonical_form_is_the_w3c_vectors() -> None:
    assert openbadges.canonical(UNSIGNED).decode() == CANONICAL_DOCUMENT


def test_the_w3c_vector_is_signed_byte_for_byte() -> None:
    private = Ed25519PrivateKey.from_private_bytes(multibase_key(PRIVATE_KEY_MULTIBASE, b"\x80\x26"))

    signed = openbadges.proof_add(
        UNSIGNED, private_key=private, verification_method=VERIFICATION_METHOD, created=CREATED
    )

    assert signed["proof"]["proofValue"] == PROOF_VALUE
    assert openbadges.public_key_multibase(private.public_key()) == PUBLIC_KEY_MULTIBASE


def test_the_independent_verifier_accepts_the_w3c_vector_and_refuses_a_change() -> None:
    public = Ed25519PublicKey.from_public_bytes(multibase_key(PUBLIC_KEY_MULTIBASE, b"\xed\x01"))
    signed = {**UNSIGNED, "proof": {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": "2023-02-24T23:36:38Z",
        "verificationMethod": VERIFICATION_METHOD,
        "proofPurpose": "assertionMethod",
        "@context": UNSIGNED["@context"],
        "proofValue": PROOF_VALUE,
    }}  # fmt: skip

    assert independent_verify(signed, public)
    assert not independent_verify({**signed, "name": "Forged Credential"}, public)


def test_a_label_credential_passes_the_independent_verifier(client: Client, badge: Label) -> None:
    credential = client.get(reverse("labels:ob_credential", args=[badge.code])).json()
    profile = client.get(reverse("labels:ob_issuer")).json()
    method = next(m for m in profile["verificationMethod"] if m["id"] == credential["proof"]["verificationMethod"])
    public = Ed25519PublicKey.from_public_bytes(multibase_key(method["publicKeyMultibase"], b"\xed\x01"))

    assert independent_verify(credential, public)
    assert not independent_verify({**credential, "validUntil": "2099-12-31T23:59:59Z"}, public)


@pytest.fixture
def badge(db: None) -> Label:
    return label_create(
        organisation=OrganisationFactory(name="Interop Cluster", country="DE"),
        level=Level.BRONZE,
        assessed_on=timezone.localdate(),
        source=LabelSource.APPLICATION,
    )


def _created(credential: dict[str, Any]) -> datetime:
    return datetime.strptime(credential["proof"]["created"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def test_the_proof_is_dated_when_signed_never_in_the_future(badge: Label) -> None:
    """A renewal whose validity starts next year is signed today, not next year."""
    label = badge
    Label.objects.filter(pk=label.pk).update(
        valid_from=timezone.localdate() + timedelta(days=300), valid_until=timezone.localdate() + timedelta(days=1400)
    )
    label.refresh_from_db()

    credential = openbadges.credential_for(label)

    assert _created(credential) <= datetime.now(UTC)
    assert _created(credential) == label.created_at.replace(microsecond=0)
    assert openbadges.credential_for(label) == credential  # the same facts sign the same credential


def test_numbers_and_text_are_canonical_as_rfc_8785_writes_them() -> None:
    """Where a hand-rolled ``json.dumps`` differs from RFC 8785: 1.0 is 1, 0.000001 stays
    decimal, non-ASCII text is written as itself, keys in code-unit order."""
    document = {"b": 1.0, "a": [1e21, 0.000001], "é": "€"}

    assert openbadges.canonical(document) == '{"a":[1e+21,0.000001],"b":1,"é":"€"}'.encode()
