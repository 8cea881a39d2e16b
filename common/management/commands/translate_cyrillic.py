"""Make the Serbian Cyrillic catalogue from the Serbian Latin one, and compile both."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from common.catalogues import cyrillic_po

LATIN = Path("sr_Latn") / "LC_MESSAGES" / "django.po"
CYRILLIC = Path("sr") / "LC_MESSAGES" / "django.po"


class Command(BaseCommand):
    help = (
        "Write locale/sr/LC_MESSAGES/django.po as the transliteration of locale/sr_Latn/LC_MESSAGES/django.po, "
        "then compile both .mo files (in Python: no GNU gettext needed). With --check, change nothing and "
        "fail when a file is out of date."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="Only report out-of-date files.")

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        locale = Path(settings.LOCALE_PATHS[0])
        latin, cyrillic = locale / LATIN, locale / CYRILLIC
        if not latin.exists():
            raise CommandError(f"{latin} is missing: run make messages.")
        catalogue = cyrillic_po(latin)
        wanted = {
            cyrillic: str(catalogue).encode(),
            cyrillic.with_suffix(".mo"): catalogue.to_binary(),
            latin.with_suffix(".mo"): polib.pofile(str(latin)).to_binary(),
        }
        if check:
            stale = [str(path) for path, content in wanted.items() if not path.exists() or path.read_bytes() != content]
            if stale:
                raise CommandError("Out of date (run make messages): " + ", ".join(stale))
            self.stdout.write("The catalogues are up to date.")
            return
        cyrillic.parent.mkdir(parents=True, exist_ok=True)
        for path, content in wanted.items():
            path.write_bytes(content)
            self.stdout.write(f"Wrote {path}")
