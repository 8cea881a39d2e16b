"""The registry's stored keys on each label (its organisation's name as sorted, its country), filled, and their indexes."""

from django.db import migrations, models


def sort_names_fill(apps, schema_editor):
    # The same rule as labels.models.registry_sort_name, frozen here as migrations are.
    Label = apps.get_model("labels", "Label")
    ClusterOrganisation = apps.get_model("clusters", "ClusterOrganisation")
    named = ClusterOrganisation.objects.filter(labels__isnull=False).distinct().values_list("pk", "name", "country")
    for pk, name, country in named.iterator(chunk_size=2000):
        Label.objects.filter(organisation_id=pk).update(
            sort_name=" ".join(name.casefold().split())[:250], organisation_country=country
        )


class Migration(migrations.Migration):
    dependencies = [
        ("clusters", "0006_name_change_request"),
        ("labels", "0016_stored_figures"),
    ]

    operations = [
        migrations.AddField(
            model_name="label",
            name="sort_name",
            field=models.CharField(blank=True, editable=False, max_length=250, verbose_name="sorted as"),
        ),
        migrations.AddField(
            model_name="label",
            name="organisation_country",
            field=models.CharField(blank=True, editable=False, max_length=2, verbose_name="country"),
        ),
        migrations.RunPython(sort_names_fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="label",
            index=models.Index(fields=["sort_name", "id"], name="labels_registry_name"),
        ),
        migrations.AddIndex(
            model_name="label",
            index=models.Index(fields=["organisation_country", "sort_name", "id"], name="labels_registry_country"),
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
