import json
from datetime import date
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "holidays_mn.json"


def seed(apps, schema_editor):
    CalendarDay = apps.get_model("org", "CalendarDay")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    days = {}
    for year in data["fixed_years"]:
        for entry in data["fixed"]:
            days[date(year, entry["month"], entry["day"])] = entry
    for entry in data["lunar"]:
        days[date.fromisoformat(entry["date"])] = entry
    existing = set(CalendarDay.objects.filter(unit__isnull=True).values_list("date", flat=True))
    CalendarDay.objects.bulk_create(
        CalendarDay(date=day, kind="holiday", name_mn=e["name_mn"], name_en=e["name_en"])
        for day, e in sorted(days.items())
        if day not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("org", "0002_holiday_calendar")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
