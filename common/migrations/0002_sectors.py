from django.db import migrations
from django.utils.text import slugify

from common.enums import SECTOR_NAMES


def load_sectors(apps, schema_editor):
    Sector = apps.get_model("common", "Sector")
    for position, name in enumerate(SECTOR_NAMES, start=1):
        Sector.objects.update_or_create(slug=slugify(name), defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("common", "0001_initial")]

    operations = [migrations.RunPython(load_sectors, migrations.RunPython.noop)]
