import json
from datetime import date
from pathlib import Path

from django.db import migrations, models

DATA = Path(__file__).resolve().parent.parent / "data" / "holidays_mn.json"


def mark_lunar_days(apps, schema_editor):
    """The lunar new year days seeded by 0003 are the movable ones."""
    CalendarDay = apps.get_model("org", "CalendarDay")
    lunar = [date.fromisoformat(entry["date"])
             for entry in json.loads(DATA.read_text(encoding="utf-8"))["lunar"]]
    CalendarDay.objects.filter(unit__isnull=True, date__in=lunar).update(movable=True)


class Migration(migrations.Migration):
    dependencies = [("org", "0005_heartbeat_to_core")]
    operations = [
        migrations.AddField(
            model_name="calendarday",
            name="movable",
            field=models.BooleanField(
                default=False,
                help_text="A holiday whose date is set anew each year, such as Tsagaan Sar.",
                verbose_name="movable holiday",
            ),
        ),
        migrations.RunPython(mark_lunar_days, migrations.RunPython.noop),
    ]
