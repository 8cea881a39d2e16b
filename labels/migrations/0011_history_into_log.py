"""Carry the label events written before the one history into it (common.ActivityLog)."""

from django.db import migrations


def carry(apps, schema_editor):
    ActivityLog = apps.get_model("common", "ActivityLog")
    ContentType = apps.get_model("contenttypes", "ContentType")
    LabelEvent = apps.get_model("labels", "LabelEvent")
    kind, _ = ContentType.objects.get_or_create(app_label="labels", model="label")
    rows = (
        ActivityLog(
            content_type=kind,
            object_id=event.label_id,
            action=f"label.{event.kind}",
            actor_id=event.by_id,
            at=event.at,
            data={**event.changes, "carried_from": "LabelEvent"},
            reason=event.reason,
        )
        for event in LabelEvent.objects.order_by("at", "id").iterator(chunk_size=2000)
    )
    ActivityLog.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("labels", "0010_jobs_share_one_shape"),
        ("common", "0004_activity_log"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # The log refuses deletions: going back leaves the carried rows in place.
    operations = [migrations.RunPython(carry, migrations.RunPython.noop)]
