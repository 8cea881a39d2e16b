"""Certificates: A4 landscape PDFs by WeasyPrint, with a QR code (segno, SVG)
that opens the public verification page. Rendered by a Celery task, never in a
web request; rendering the same facts twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

import segno
from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop

from common.enums import Level
from common.pdf import PdfDocument, pdf_missing, pdf_store
from labels.enums import CertificateLanguage
from labels.models import Label

PDF_TEMPLATE = "labels/certificate_pdf.html"
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
SECOND_LANGUAGE = {CertificateLanguage.ENGLISH_SERBIAN: "sr-latn", CertificateLanguage.ENGLISH_SERBIAN_CYRILLIC: "sr"}


def verify_url(label: Label) -> str:
    return f"{settings.SITE_URL}{reverse('verify', args=[label.code])}"


def qr_svg(url: str) -> str:
    """The QR code as inline SVG: sharp in print, no image file to manage."""
    return segno.make(url, error="m").svg_inline(scale=4, dark="#143d6b")


def certificate_facts(label: Label) -> dict[str, str]:
    """Everything the certificate shows; its hash decides whether to render again."""
    decision = getattr(getattr(label, "application", None), "decision", None)
    second = SECOND_LANGUAGE.get(CertificateLanguage(label.certificate_language or CertificateLanguage.ENGLISH))
    # The facts are the same whoever triggers the rendering, in whatever language they read the portal.
    with translation.override("en"):
        country = str(label.organisation.country.name)
    facts = {
        "organisation": label.awarded_name or label.organisation.name,
        "country": country,
        "level": label.level,
        "valid_from": label.valid_from.isoformat(),
        "valid_until": label.valid_until.isoformat(),
        "code": label.code,
        "score": "" if label.score is None else str(label.score),
        "decided_on": decision.decided_at.date().isoformat() if decision else label.assessed_on.isoformat(),
        "verify_url": verify_url(label),
        "language": label.certificate_language,
    }
    if second:
        with translation.override(second):
            facts["country_second"] = str(label.organisation.country.name)
    return facts


def certificate_document(label: Label) -> PdfDocument:
    """The label's certificate as it should be today; the same facts make the same certificate."""
    facts = certificate_facts(label)
    return PdfDocument(
        template=PDF_TEMPLATE,
        facts=facts,
        context=lambda: {
            "label": label,
            "facts": facts,
            "look": LOOKS[Level(label.level)],
            "qr": qr_svg(facts["verify_url"]),
            "issuer": ISSUER,
            "second_language": SECOND_LANGUAGE.get(CertificateLanguage(label.certificate_language)),
        },
        file_name=lambda stamp: f"{label.code}-{stamp[:8]}.pdf",
        language="en",
    )


@transaction.atomic
def certificate_render(*, label: Label, force: bool = False) -> Label:
    """Render and store the label's certificate unless it already shows these facts.

    Side effects: a private PDF file; the one it replaces is deleted after commit.
    """
    label = Label.objects.select_for_update().select_related("organisation").get(pk=label.pk)
    pdf_store(
        instance=label,
        file_field="certificate",
        fingerprint_field="certificate_fingerprint",
        document=certificate_document(label),
        force=force,
    )
    return label


def certificate_queue(label_id: int) -> None:
    """Queue the rendering of a label's certificate (call it after commit)."""
    render_certificate.delay(label_id)


def certificate_outdated(label: Label) -> bool:
    return label.certificate_fingerprint != certificate_document(label).fingerprint


def certificate_missing(label: Label) -> bool:
    """No certificate file yet (an imported or seeded label), or its file is gone."""
    return pdf_missing(label.certificate)


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
