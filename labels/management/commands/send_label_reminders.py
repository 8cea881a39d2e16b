from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from labels.tasks import send_label_reminders


class Command(BaseCommand):
    help = (
        "Send the re-certification reminders due today (the same code as the daily beat task). "
        "Each reminder goes once: running it again sends nothing new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", help="with --dry-run: the day to plan for, YYYY-MM-DD (default and only day to send: today)"
        )
        parser.add_argument("--dry-run", action="store_true", help="list what would be sent; send and write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["today"]
        if today:
            try:
                day = date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"--today must be a date as YYYY-MM-DD, not {today!r}") from None
            # Sending for a day other than today would tell people the wrong number of
            # days left and use up the reminders they should get on the right day.
            if day != timezone.localdate() and not options["dry_run"]:
                raise CommandError("--today other than today only with --dry-run: it would send on the wrong day.")
        # Called in process: the task's body, not a message to a worker.
        result = send_label_reminders(today=today, dry_run=options["dry_run"])
        if options["dry_run"]:
            for planned in result["planned"]:
                self.stdout.write(
                    f"{planned['code']}  {planned['organisation']} ({planned['country']})  {planned['reminder']}  "
                    f"valid until {planned['valid_until']}  to: {', '.join(planned['recipients']) or '(nobody)'}"
                )
            self.stdout.write(f"{result['due']} reminder(s) would be sent on {result['today']}; nothing was sent.")
            return
        self.stdout.write(
            f"{result['today']}: {result['sent']} reminder(s) sent ({result['messages']} e-mail(s)), "
            f"{result['skipped']} skipped as no longer applicable, {result['failed']} failed (kept for the next run)."
        )
