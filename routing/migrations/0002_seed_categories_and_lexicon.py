import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "lexicon.json"


def seed(apps, schema_editor):
    """The nine categories of issue 5 and the starting lexicon. Records that already exist
    (an administrator's edits) are kept."""
    Category = apps.get_model("routing", "Category")
    TriageTerm = apps.get_model("routing", "TriageTerm")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    categories = {}
    for entry in data["categories"]:
        categories[entry["code"]], _ = Category.objects.get_or_create(
            code=entry["code"],
            defaults={key: entry[key]
                      for key in ("name_mn", "name_en", "corruption_related", "order")},
        )
    for group in data["terms"]:
        category = categories[group["category"]] if group["category"] else None
        for term in group["terms"]:
            TriageTerm.objects.get_or_create(
                category=category, kind=group["kind"], term=term,
                defaults={"weight": float(group["weight"])},
            )


class Migration(migrations.Migration):
    dependencies = [("routing", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
