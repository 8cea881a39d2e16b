import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.questionnaires.document import QuestionnaireInvalid
from assessments.questionnaires.services import questionnaire_import


class Command(BaseCommand):
    help = (
        "Import a questionnaire (the JSON format export_questionnaire prints) as a new draft version. "
        "An invalid file is refused whole, with every problem named; publish the draft in the administration."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the JSON file (UTF-8)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text: {exc.reason}") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from exc
        try:
            version = questionnaire_import(data=data)
        except QuestionnaireInvalid as exc:
            raise CommandError(f"{path} was not imported:\n" + "\n".join(exc.problems)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{version.questionnaire.get_level_display()}: imported as draft version {version.number} "
                f"({version.sections.count()} sections, {version.indicators.count()} indicators)."
            )
        )
