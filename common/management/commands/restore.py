"""``manage.py restore <archive>``: load a backup into an empty database and private files folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from common.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Verify a backup archive's checksums and load it into an empty database and private files folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database and a files folder that are not empty (what they hold is lost)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_restore(path=options["archive"], force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        files = sum(1 for member in manifest["sha256"] if member.startswith("files/"))
        self.stdout.write(
            self.style.SUCCESS(
                f"restored the backup of {manifest['created_at']}: the database and {files} files, all checksums match"
            )
        )
