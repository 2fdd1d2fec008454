"""The worker's heartbeat moved to core (issue 16). Its one row is rewritten every minute,
so a new table would do; the row is still copied, so that /healthz does not say "unknown"
for the first minute after an upgrade."""

from django.db import migrations


def copy_to_core(apps, schema_editor):
    old, new = apps.get_model("org", "Heartbeat"), apps.get_model("core", "Heartbeat")
    for beat in old.objects.all():
        new.objects.update_or_create(name=beat.name, defaults={"seen_at": beat.seen_at})


def copy_to_org(apps, schema_editor):
    old, new = apps.get_model("org", "Heartbeat"), apps.get_model("core", "Heartbeat")
    for beat in new.objects.all():
        old.objects.update_or_create(name=beat.name, defaults={"seen_at": beat.seen_at})


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0004_unit_place'),
        ('core', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(copy_to_core, copy_to_org),
        migrations.DeleteModel(
            name='Heartbeat',
        ),
    ]
