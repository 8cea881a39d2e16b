import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.questionnaires.document import questionnaire_export
from assessments.questionnaires.selectors import version_for
from common.enums import Level


class Command(BaseCommand):
    help = (
        "Print a questionnaire version as JSON (the format import_questionnaire reads). "
        "Without --version: the published version, else the latest."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # --version is Django's "show the Django version" option; here it names the
        # questionnaire version, so ours takes the option string over.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("level", choices=Level.values, help="bronze, silver or gold")
        parser.add_argument("--version", type=int, dest="number", metavar="N", help="the version number")

    def handle(self, *args: Any, **options: Any) -> None:
        level, number = options["level"], options["number"]
        version = version_for(level, number)
        if version is None:
            if number is not None:
                raise CommandError(f"The {level} questionnaire has no version {number}.")
            raise CommandError(f"The {level} questionnaire has no version yet. Run load_questionnaires first?")
        # ensure_ascii off: labels in other languages stay readable in the file.
        self.stdout.write(json.dumps(questionnaire_export(version), indent=2, ensure_ascii=False))
