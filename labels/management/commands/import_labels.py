from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from labels.certificates.jobs import certificate_job_queue
from labels.imports.service import labels_import


class Command(BaseCommand):
    help = (
        "Import legacy labels from a CSV file, all or nothing. Importing the same file again changes nothing. "
        "Columns: organisation,country,city,website,sector,level,assessed_on,valid_until,score,label_code."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the CSV file (UTF-8, comma-separated, with a header)")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        result = labels_import(content=content, dry_run=options["dry_run"])

        for error in result.sorted_errors:
            self.stderr.write(str(error))
        if result.errors:
            raise CommandError(f"{len(result.errors)} error(s) in {path}; nothing was imported.")

        if options["verbosity"] >= 2:
            if len(result.planned) < result.created:
                self.stdout.write(f"The first {len(result.planned)} of {result.created} labels:")
            for planned in result.planned:
                kind = "renewal" if planned.is_renewal else "first label"
                new = " (new organisation)" if planned.organisation_is_new else ""
                self.stdout.write(
                    f"row {planned.row}: {planned.organisation} ({planned.country}){new}, {planned.level}, "
                    f"{kind}, valid {planned.valid_from} to {planned.valid_until}"
                )
        verb = "would create" if result.dry_run else "created"
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.total_rows} rows: {verb} {result.created} labels and "
                f"{result.organisations_created} organisations; {result.unchanged} unchanged."
            )
        )
        if result.dry_run:
            self.stdout.write("Dry run: nothing was written.")
        elif result.created:
            # The new labels' certificates, in one bulk job (the office's page shows its progress).
            job = certificate_job_queue()
            self.stdout.write(f"Certificates: job {job.pk} renders those missing or outdated ({job.total} labels).")
