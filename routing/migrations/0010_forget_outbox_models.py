"""Routing forgets the agency and outbox models it used to hold. Their tables stay: the
outbox app owns them now (outbox/migrations/0001_initial.py)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("reporting", "0002_outbox_app"),
        ("routing", "0009_referral_agency_to_outbox"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="DeliveryAttempt"),
                migrations.DeleteModel(name="Outbox"),
                migrations.DeleteModel(name="Agency"),
            ],
        ),
    ]
