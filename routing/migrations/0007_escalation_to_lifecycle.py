# Escalation moved to lifecycle (lifecycle 0001, which keeps this table, routing_escalation,
# and its rows): routing forgets the model without touching the database.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('lifecycle', '0001_initial'),
        ('routing', '0006_retention'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Escalation')],
            database_operations=[],
        ),
    ]
