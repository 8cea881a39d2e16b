from django.db import migrations

from common.services import sectors_ensure


def load_sectors(apps, schema_editor):
    sectors_ensure(apps.get_model("common", "Sector"))


class Migration(migrations.Migration):
    dependencies = [("common", "0001_initial")]

    operations = [migrations.RunPython(load_sectors, migrations.RunPython.noop)]
