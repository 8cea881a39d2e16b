"""Certificates: A4 landscape PDFs by WeasyPrint, with a QR code (segno, SVG)
that opens the public verification page. Rendered by a Celery task, never in a
web request; rendering the same facts twice changes nothing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import segno
from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop

from common.enums import Level
from common.pdf import render_pdf
from labels.enums import CertificateLanguage
from labels.models import Label

if TYPE_CHECKING:
    pass

ISSUER = "European Secretariat for Cluster Analysis (ESCA) · label office"


@dataclass(frozen=True)
class LevelLook:
    colour: str
    # The scheme's English motto; templates translate it ({% translate look.motto %}).
    motto: str


LOOKS = {
    Level.BRONZE: LevelLook("#a0642d", gettext_noop("Striving for Cluster Excellence")),
    Level.SILVER: LevelLook("#7b8794", gettext_noop("Dedicated to Cluster Excellence")),
    Level.GOLD: LevelLook("#b58b00", gettext_noop("Proven for Cluster Excellence")),
}
# The second language of a bilingual certificate.
SECOND_LANGUAGE = {CertificateLanguage.ENGLISH_SERBIAN: "sr-latn"}


def verify_url(label: Label) -> str:
    return f"{settings.SITE_URL}{reverse('verify', args=[label.code])}"


def qr_svg(url: str) -> str:
    """The QR code as inline SVG: sharp in print, no image file to manage."""
    return segno.make(url, error="m").svg_inline(scale=4, dark="#143d6b")  # type: ignore[no-any-return]


def certificate_facts(label: Label) -> dict[str, str]:
    """Everything the certificate shows; its hash decides whether to render again."""
    decision = getattr(getattr(label, "application", None), "decision", None)
    second = SECOND_LANGUAGE.get(CertificateLanguage(label.certificate_language or CertificateLanguage.ENGLISH))
    # The facts are the same whoever triggers the rendering, in whatever language they read the portal.
    with translation.override("en"):
        country = str(label.organisation.country.name)
    facts = {
        "organisation": label.organisation.name,
        "country": country,
        "level": label.level,
        "valid_from": label.valid_from.isoformat(),
        "valid_until": label.valid_until.isoformat(),
        "code": label.code,
        "score": "" if label.score is None else str(label.score),
        "decided_on": decision.decided_at.date().isoformat() if decision else label.assessed_on.isoformat(),
        "verify_url": verify_url(label),
        "template": template_fingerprint(),
        "language": label.certificate_language,
    }
    if second:
        with translation.override(second):
            facts["country_second"] = str(label.organisation.country.name)
    return facts


def template_fingerprint() -> str:
    """A hash of the certificate template: changing the template outdates every certificate."""
    source = Path(get_template("labels/certificate_pdf.html").origin.name).read_bytes()
    return hashlib.sha256(source).hexdigest()[:16]


def fingerprint(facts: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


@transaction.atomic
def certificate_render(*, label: Label, force: bool = False) -> Label:
    """Render and store the label's certificate unless it already shows these facts.

    Side effects: a private PDF file (replacing an outdated one).
    """
    label = Label.objects.select_for_update().select_related("organisation").get(pk=label.pk)
    facts = certificate_facts(label)
    stamp = fingerprint(facts)
    if (
        not force
        and label.certificate_fingerprint == stamp
        and label.certificate
        and label.certificate.storage.exists(label.certificate.name)
    ):
        return label
    look = LOOKS[Level(label.level)]
    pdf = render_pdf(
        "labels/certificate_pdf.html",
        {
            "label": label,
            "facts": facts,
            "look": look,
            "qr": qr_svg(facts["verify_url"]),
            "issuer": ISSUER,
            "second_language": SECOND_LANGUAGE.get(CertificateLanguage(label.certificate_language)),
        },
        language="en",
    )
    old = label.certificate.name if label.certificate else ""
    label.certificate.save(f"{label.code}-{stamp[:8]}.pdf", ContentFile(pdf), save=False)
    label.certificate_fingerprint = stamp
    label.save(update_fields=["certificate", "certificate_fingerprint"])
    if old and old != label.certificate.name:
        transaction.on_commit(lambda: label.certificate.storage.delete(old))
    return label


def certificate_queue(label_id: int) -> None:
    """Queue the rendering of a label's certificate (call it after commit)."""
    render_certificate.delay(label_id)


def certificate_outdated(label: Label) -> bool:
    return label.certificate_fingerprint != fingerprint(certificate_facts(label))


def certificate_missing(label: Label) -> bool:
    """No certificate file yet (an imported or seeded label), or its file is gone."""
    return not label.certificate or not label.certificate.storage.exists(label.certificate.name)


# The waiting page reloads every 3 seconds: queue a missing certificate once a minute at most.
QUEUE_GUARD_SECONDS = 60


def certificate_request(*, label: Label) -> bool:
    """Someone asked for a certificate that is missing: queue its rendering,
    once however often the waiting page reloads (again after
    ``QUEUE_GUARD_SECONDS``, should a worker have lost it). Returns whether
    it queued.

    Side effects: a cache entry; ``labels.tasks.render_certificate`` queued
    after commit (idempotent: a certificate already there is kept).
    """
    if not cache.add(f"certificate-render:{label.pk}", True, QUEUE_GUARD_SECONDS):
        return False
    transaction.on_commit(lambda: certificate_queue(label.pk))
    return True


@shared_task(
    name="labels.render_certificate",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def render_certificate(label_id: int) -> None:
    """Render a label's certificate. Quiet if the label is gone; idempotent."""
    label = Label.objects.filter(pk=label_id).first()
    if label is None:
        return
    certificate_render(label=label)
