"""Date the state of existing applications from their last move in the history,
so that the deadlines of late steps count from when a case really arrived, not
from the migration (``state_changed_at`` is new in 0009)."""

from typing import Any

from django.db import migrations
from django.db.models import Max


def backfill(apps: Any, schema_editor: Any) -> None:
    Application = apps.get_model("assessments", "Application")
    ActivityLog = apps.get_model("common", "ActivityLog")
    ContentType = apps.get_model("contenttypes", "ContentType")
    kind = ContentType.objects.filter(app_label="assessments", model="application").first()
    if kind is None:
        return
    last_moves = (
        ActivityLog.objects.filter(content_type=kind, action="application.state")
        .values("object_id")
        .annotate(at=Max("at"))
    )
    for row in last_moves.iterator():
        Application.objects.filter(pk=row["object_id"], state_changed_at__isnull=True).update(
            state_changed_at=row["at"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0012_stuck_deadlines_conflicts"),
        ("common", "0004_activity_log"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
