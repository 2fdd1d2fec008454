"""A referral's agency is the outbox app's Agency now: the same table, so only Django's
picture of the foreign key changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("outbox", "0001_initial"),
        ("routing", "0008_outbox_subjects_for_referrals"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="referral",
                    name="agency",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                            related_name="referrals", to="outbox.agency",
                                            verbose_name="agency"),
                ),
            ],
        ),
    ]
