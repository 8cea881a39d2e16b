"""Carry the ApplicationTransition rows written before the one history into it (common.ActivityLog)."""

from django.db import migrations


def carry(apps, schema_editor):
    ActivityLog = apps.get_model("common", "ActivityLog")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Transition = apps.get_model("assessments", "ApplicationTransition")
    kind, _ = ContentType.objects.get_or_create(app_label="assessments", model="application")
    rows = (
        ActivityLog(
            content_type=kind,
            object_id=transition.application_id,
            action="application.state",
            actor_id=transition.by_id,
            at=transition.at,
            data={"state": [transition.from_state, transition.to_state], "carried_from": "ApplicationTransition"},
            reason=transition.note,
        )
        for transition in Transition.objects.order_by("at", "id").iterator(chunk_size=2000)
    )
    ActivityLog.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0006_assessment_report_pdf_fingerprint"),
        ("common", "0004_activity_log"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # The log refuses deletions: going back leaves the carried rows in place.
    operations = [migrations.RunPython(carry, migrations.RunPython.noop)]
