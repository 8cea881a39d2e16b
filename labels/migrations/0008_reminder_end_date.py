from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_end_dates(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Reminders sent so far were about their label's end date as it stands."""
    LabelReminder = apps.get_model("labels", "LabelReminder")
    Label = apps.get_model("labels", "Label")
    LabelReminder.objects.update(
        for_valid_until=Subquery(Label.objects.filter(pk=OuterRef("label_id")).values("valid_until")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("labels", "0007_certificate_language")]

    operations = [
        migrations.AddField(
            model_name="labelreminder",
            name="for_valid_until",
            field=models.DateField(null=True, verbose_name="for the end date"),
        ),
        migrations.RunPython(fill_end_dates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="labelreminder",
            name="for_valid_until",
            field=models.DateField(
                help_text="The end of validity the reminder was about: a corrected end date starts a new timeline.",
                verbose_name="for the end date",
            ),
        ),
        migrations.RemoveConstraint(model_name="labelreminder", name="labels_reminder_once"),
        migrations.AddConstraint(
            model_name="labelreminder",
            constraint=models.UniqueConstraint(
                fields=("label", "kind", "for_valid_until"),
                name="labels_reminder_once",
                violation_error_message="This reminder was already sent for this label.",
            ),
        ),
    ]
