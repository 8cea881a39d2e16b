from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from labels.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create the demo accounts (one per role) and demo organisations. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off: demo accounts share a public password "
                "and must never exist in production."
            )
        created = seed_demo()
        for line in created:
            self.stdout.write(f"created {line}")
        if not created:
            self.stdout.write("demo data already present; nothing changed")
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password {DEMO_PASSWORD!r}):"))
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.email:<24} {account.role}")
