"""``manage.py retention [--dry-run]``: delete (or list) what is past its retention period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from privacy.retention import retention_preview, retention_run


class Command(BaseCommand):
    help = "Delete personal data past its retention period (PRIVACY_RETENTION_DAYS); --dry-run lists it only."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            rows = retention_preview()
            for kind, rule, pk in rows:
                self.stdout.write(f"would delete {kind} {pk} ({rule})")
            self.stdout.write(f"{len(rows)} rows would be deleted; nothing was.")
            return
        for kind, count in retention_run().items():
            self.stdout.write(f"deleted {count} {kind}")
