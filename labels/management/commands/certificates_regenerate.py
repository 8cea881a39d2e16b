from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from common.enums import Level
from labels.certificates.jobs import CHUNK_SIZE, certificate_job_queue


class Command(BaseCommand):
    help = (
        "Queue the regeneration of certificates (after a template change, say): every current label and every "
        f"label with a certificate, or those of one level. The worker renders them in ranges of {CHUNK_SIZE} "
        "labels, one task each, and only those missing or outdated; running it twice renders nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help="every level")
        which.add_argument("--level", choices=Level.values, help="only the labels of this level")

    def handle(self, *args: Any, **options: Any) -> None:
        job = certificate_job_queue(level=options["level"] or "")
        self.stdout.write(
            f"Certificates: job {job.pk} queued for {job.total} labels; the office's page shows its progress."
        )
