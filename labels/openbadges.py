"""Labels as Open Badges 3.0 credentials (W3C Verifiable Credentials), signed
with Ed25519 (Data Integrity, cryptosuite eddsa-jcs-2022), with a Bitstring
Status List that reflects revocation, so any wallet can check a label outside
the portal.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from common.enums import Level
from common.models import ActivityLog
from common.scheme import rules_for
from labels.certificates.rendering import ISSUER, LOOKS, verify_url
from labels.models import Label

CONTEXTS = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
STATUS_LIST_MIN_BITS = 131072  # 16 KB, the minimum the Bitstring Status List spec asks for (herd privacy)
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58btc(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    encoded = ""
    while number:
        number, remainder = divmod(number, 58)
        encoded = _B58[remainder] + encoded
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + encoded


@dataclass(frozen=True)
class IssuerKey:
    """One of the issuer's keys: it signs from ``valid_from`` until the next key
    starts (``signs_until``), and verifies what it signed for ever."""

    id: str
    private: Ed25519PrivateKey
    valid_from: date | None
    signs_until: date | None


def _configured_keys() -> list[tuple[str, bytes, date | None]]:
    configured = [
        (key["id"], base64.b64decode(key["key"]), date.fromisoformat(key["valid_from"]))
        for key in settings.OPENBADGES_KEYS
    ]
    if configured:
        return sorted(configured, key=lambda key: key[2] or date.min)
    legacy = settings.OPENBADGES_SIGNING_KEY
    seed = base64.b64decode(legacy) if legacy else hashlib.sha256(f"openbadges:{settings.SECRET_KEY}".encode()).digest()
    return [("key-1", seed, None)]


def issuer_keys() -> list[IssuerKey]:
    """Every key the issuer has had, oldest first (``OPENBADGES_KEYS``; unset: one
    key from ``OPENBADGES_SIGNING_KEY`` or derived from ``SECRET_KEY``)."""
    configured = _configured_keys()
    return [
        IssuerKey(
            id=key_id,
            private=Ed25519PrivateKey.from_private_bytes(seed),
            valid_from=starts,
            signs_until=configured[index + 1][2] if index + 1 < len(configured) else None,
        )
        for index, (key_id, seed, starts) in enumerate(configured)
    ]


def current_key() -> IssuerKey:
    """The newest key that has started: a key listed ahead of its day is
    published in the issuer profile before it signs anything."""
    today = datetime.now(UTC).date()
    keys = issuer_keys()
    started = [key for key in keys if key.valid_from is None or key.valid_from <= today]
    return (started or keys[:1])[-1]


def signing_key() -> Ed25519PrivateKey:
    return current_key().private


def public_key_multibase(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + base58btc(b"\xed\x01" + raw)  # multicodec ed25519-pub


def _url(name: str, *args: Any) -> str:
    return f"{settings.SITE_URL}{reverse(name, args=args)}"


def issuer_id() -> str:
    return _url("labels:ob_issuer")


def verification_method(key: IssuerKey | None = None) -> str:
    return f"{issuer_id()}#{(key or current_key()).id}"


def _key_entry(key: IssuerKey) -> dict[str, Any]:
    entry = {
        "id": verification_method(key),
        "type": "Multikey",
        "controller": issuer_id(),
        "publicKeyMultibase": public_key_multibase(key.private.public_key()),
    }
    # When the key signed: it verifies what it signed for ever, so no "expires" here.
    if key.valid_from is not None:
        entry["validFrom"] = key.valid_from.isoformat()
    if key.signs_until is not None:
        entry["validUntil"] = key.signs_until.isoformat()
    return entry


def issuer_profile() -> dict[str, Any]:
    return {
        "@context": CONTEXTS,
        "id": issuer_id(),
        "type": ["Profile"],
        "name": ISSUER,
        "url": settings.SITE_URL,
        "verificationMethod": [_key_entry(key) for key in issuer_keys()],
    }


def canonical(document: dict[str, Any]) -> bytes:
    """The JSON Canonicalization Scheme (RFC 8785), by the ``rfc8785`` library:
    numbers, escapes and key order exactly as every other verifier computes them."""
    return rfc8785.dumps(document)


def _proof_input(document: dict[str, Any], proof_config: dict[str, Any]) -> bytes:
    return hashlib.sha256(canonical(proof_config)).digest() + hashlib.sha256(canonical(document)).digest()


def proof_add(
    document: dict[str, Any], *, private_key: Ed25519PrivateKey, verification_method: str, created: datetime
) -> dict[str, Any]:
    """Add a Data Integrity proof (cryptosuite eddsa-jcs-2022, W3C vc-di-eddsa
    "Create Proof"): the proof options carry the document's ``@context``, and the
    signature covers SHA-256 of the canonical proof options, then of the document."""
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
        "@context": document["@context"],
    }
    signature = private_key.sign(_proof_input(document, proof))
    return {**document, "proof": {**proof, "proofValue": "z" + base58btc(signature)}}


def sign(document: dict[str, Any], created: datetime) -> dict[str, Any]:
    """Sign with the issuer's current key; ``created`` is when the credential was
    signed (never in the future)."""
    key = current_key()
    moment = min(created, datetime.now(UTC))
    return proof_add(document, private_key=key.private, verification_method=verification_method(key), created=moment)


def verify_signature(credential: dict[str, Any], public_key: Ed25519PublicKey) -> bool:
    """Check a credential's proof (used by the tests, and by anyone with the issuer's key)."""
    document = {k: v for k, v in credential.items() if k != "proof"}
    proof = dict(credential["proof"])
    value = proof.pop("proofValue")
    number = 0
    for char in value[1:]:
        number = number * 58 + _B58.index(char)
    signature = number.to_bytes(64, "big")
    try:
        public_key.verify(signature, _proof_input(document, {**proof, "@context": document["@context"]}))
    except Exception:
        return False
    return True


def verify_credential(credential: dict[str, Any]) -> bool:
    """Check a credential with the issuer's key its proof names, whichever key signs today."""
    named = str(credential.get("proof", {}).get("verificationMethod", ""))
    key = next((key for key in issuer_keys() if verification_method(key) == named), None)
    return key is not None and verify_signature(credential, key.private.public_key())


def credential_for(label: Label) -> dict[str, Any]:
    level = Level(label.level)
    achievement_name = f"{level.label} cluster management excellence label"
    document = {
        "@context": CONTEXTS,
        "id": _url("labels:ob_credential", label.code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement_name,
        "issuer": {"id": issuer_id(), "type": ["Profile"], "name": ISSUER, "url": settings.SITE_URL},
        "validFrom": f"{label.valid_from.isoformat()}T00:00:00Z",
        "validUntil": f"{label.valid_until.isoformat()}T23:59:59Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": label.awarded_name or label.organisation.name,
                }
            ],
            "achievement": {
                "id": _url("labels:ob_achievement", level.value),
                "type": ["Achievement"],
                "name": achievement_name,
                "description": str(LOOKS[level].motto),
                "criteria": {"narrative": criteria_of(level)},
                "image": {"id": _url("labels:logo", level.value, "png"), "type": "Image"},
            },
        },
        "evidence": [{"id": verify_url(label), "type": ["Evidence"], "name": "Label verification page"}],
        "credentialStatus": {
            "id": f"{_url('labels:ob_status')}#{label.pk}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(label.pk),
            "statusListCredential": _url("labels:ob_status"),
        },
    }
    return sign(document, signed_at(label))


def signed_at(label: Label) -> datetime:
    """When the label's credential was signed: the label's recording, or its
    latest correction (a corrected name is a new credential). Never a future
    day, whatever the label's validity (a renewal may start later)."""
    corrected = (
        ActivityLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Label), object_id=label.pk, action="label.corrected"
        )
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    moment = max(label.created_at, corrected) if corrected else label.created_at
    return min(moment, datetime.now(UTC)).replace(microsecond=0)


def criteria_of(level: Level) -> str:
    """What a level's holder did to earn it, in the words of the scheme."""
    return {
        Level.BRONZE: "Benchmarked by an ESCA benchmarking expert (36 indicators in six groups), eligibility met.",
        Level.SILVER: (
            "A second benchmarking, three improvement areas validated by an auditor, every baseline minimum met."
        ),
        Level.GOLD: (
            f"Assessed by two experts against the quality indicators: at least "
            f"{rules_for(Level.GOLD).pass_mark_percent} % of the maximum score and every minimum requirement met."
        ),
    }[level]


def achievement(level: Level) -> dict[str, Any]:
    """The public description of a level as an Open Badges Achievement (what its ``id`` opens)."""
    return {
        "@context": CONTEXTS,
        "id": _url("labels:ob_achievement", level.value),
        "type": ["Achievement"],
        "name": f"{level.label} cluster management excellence label",
        "criteria": {"narrative": criteria_of(level)},
    }


def status_list_credential() -> dict[str, Any]:
    """Bit ``i`` is 1 when the label with primary key ``i`` is revoked."""
    revoked = list(Label.objects.filter(revoked_at__isnull=False).values_list("pk", flat=True))
    highest = Label.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    size = max(STATUS_LIST_MIN_BITS, ((highest // 8) + 1) * 8)
    bits = bytearray(size // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)  # most significant bit first, as the spec orders them
    encoded = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode().rstrip("=")
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": _url("labels:ob_status"),
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "validFrom": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"{_url('labels:ob_status')}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded,
        },
    }
    return sign(document, datetime.now(UTC))


def is_revoked_in(status_list: dict[str, Any], index: int) -> bool:
    encoded = status_list["credentialSubject"]["encodedList"][1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    return bool(bits[index // 8] & (0x80 >> (index % 8)))
