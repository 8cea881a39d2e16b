"""``manage.py backup``: one archive of the database and the private files, then old ones pruned."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from common.backup import BackupError, backup_create, backups_prune


class Command(BaseCommand):
    help = "Write the database and the private files to one archive with a manifest of SHA-256 checksums."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--folder", type=Path, default=None, help="where archives go (default BACKUP_DIR)")
        parser.add_argument(
            "--keep", type=int, default=None, help="archives kept in the folder, the newest (default BACKUP_KEEP)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["folder"] or settings.BACKUP_DIR)
        keep = settings.BACKUP_KEEP if options["keep"] is None else options["keep"]
        if keep < 1:
            raise CommandError("--keep must be at least 1: a backup run never deletes the archive it just wrote")
        try:
            result = backup_create(folder=folder)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"wrote {result.path} (database {result.database_bytes} bytes, {result.files} files)")
        for path in backups_prune(folder=folder, keep=keep):
            self.stdout.write(f"deleted old backup {path}")
