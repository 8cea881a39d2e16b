from typing import Any

from django.core.management.base import BaseCommand

from assessments.questionnaires.catalogue import catalogue_load


class Command(BaseCommand):
    help = (
        "Load and publish the shipped (illustrative) questionnaire of every level that has no version yet. "
        "Idempotent: a level with any version is left alone."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = catalogue_load()
        for version in loaded:
            self.stdout.write(
                f"{version.questionnaire.get_level_display()}: loaded and published version {version.number} "
                f"({version.sections.count()} sections, {version.indicators.count()} indicators)."
            )
        if loaded:
            self.stdout.write(self.style.SUCCESS(f"{len(loaded)} questionnaire(s) loaded."))
        else:
            self.stdout.write("Nothing to do: every level already has a questionnaire version.")
