"""The registry's stored sort key on each label, filled from its organisation's name, and its indexes."""

from django.db import migrations, models


def sort_names_fill(apps, schema_editor):
    # The same rule as labels.models.registry_sort_name, frozen here as migrations are.
    Label = apps.get_model("labels", "Label")
    ClusterOrganisation = apps.get_model("clusters", "ClusterOrganisation")
    named = ClusterOrganisation.objects.filter(labels__isnull=False).distinct().values_list("pk", "name")
    for pk, name in named.iterator(chunk_size=2000):
        Label.objects.filter(organisation_id=pk).update(sort_name=" ".join(name.casefold().split())[:250])


class Migration(migrations.Migration):
    dependencies = [
        ("clusters", "0006_name_change_request"),
        ("labels", "0015_certificate_in_cyrillic"),
    ]

    operations = [
        migrations.AddField(
            model_name="label",
            name="sort_name",
            field=models.CharField(blank=True, editable=False, max_length=250, verbose_name="sorted as"),
        ),
        migrations.RunPython(sort_names_fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="label",
            index=models.Index(fields=["sort_name", "id"], name="labels_registry_name"),
        ),
        migrations.AddIndex(
            model_name="label",
            index=models.Index(fields=["level", "sort_name", "id"], name="labels_registry_level"),
        ),
        migrations.AddIndex(
            model_name="label",
            index=models.Index(fields=["-valid_until", "sort_name", "id"], name="labels_registry_until"),
        ),
    ]
