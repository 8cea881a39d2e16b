"""The scheme's public price list (DOMAIN.md, EUR without VAT), valid from 2020-01-01.

Bronze 1,650 by video and 2,250 on site, Silver 3,620, Gold 8,250 new and
6,765 renewal. Bronze and Silver renewals cost what a first label costs (the
public list names no other price).
"""

from decimal import Decimal

from django.db import migrations

VALID_FROM = "2020-01-01"
PRICES = [
    ("bronze", "new", "video", "1650.00"),
    ("bronze", "new", "on_site", "2250.00"),
    ("bronze", "renewal", "video", "1650.00"),
    ("bronze", "renewal", "on_site", "2250.00"),
    ("silver", "new", "any", "3620.00"),
    ("silver", "renewal", "any", "3620.00"),
    ("gold", "new", "any", "8250.00"),
    ("gold", "renewal", "any", "6765.00"),
]


def seed(apps, schema_editor):
    PriceEntry = apps.get_model("billing", "PriceEntry")
    for level, kind, delivery, amount in PRICES:
        PriceEntry.objects.get_or_create(
            level=level,
            kind=kind,
            delivery=delivery,
            valid_from=VALID_FROM,
            defaults={"amount": Decimal(amount), "currency": "EUR"},
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_billing_models")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
