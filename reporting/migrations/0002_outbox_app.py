"""A report's delivery points to the outbox app's Outbox: the same table, so only Django's
picture of the foreign key changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("outbox", "0001_initial"),
        ("reporting", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="reportdelivery",
                    name="outbox",
                    field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT,
                                               related_name="+", to="outbox.outbox"),
                ),
            ],
        ),
    ]
