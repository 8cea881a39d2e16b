from typing import Any

from django.core.management.base import BaseCommand

from labels.figures import figures_refresh


class Command(BaseCommand):
    help = (
        "Compute every figure of the dashboards and statistics for every scope and store it "
        "(what the worker does after changes and nightly). Run it after loading data by other means."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # In process, the service itself: no message to a worker, no waiting for a running refresh.
        report = figures_refresh()
        self.stdout.write(f"{report.rows} figures stored for {report.scopes} scopes, for {report.today:%Y-%m-%d}.")
