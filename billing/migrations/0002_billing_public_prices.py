"""The scheme's public price list (DOMAIN.md, EUR without VAT), valid from 2020-01-01:
``billing.services.PUBLIC_PRICES``, also ensured by the demo."""

from django.db import migrations

from billing.services import public_prices_ensure


def seed(apps, schema_editor):
    public_prices_ensure(apps.get_model("billing", "PriceEntry"))


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_billing_models")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
