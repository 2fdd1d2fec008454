"""Fill the reports' counters (intake.tallies) from the records already there, so that an
installation upgraded to counters reports what it reported before. It counts with the same
recount the nightly check uses (routing's part included), so it waits for routing's tables."""

from django.db import migrations


def fill(apps, schema_editor):
    from intake.tallies import tallies_add, tallies_recount

    Tally = apps.get_model("intake", "Tally")
    Tally.objects.all().delete()
    tallies_add(tallies_recount())


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0008_tallies"),
        ("routing", "0012_first_model_verdict"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
