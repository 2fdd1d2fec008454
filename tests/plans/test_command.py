"""manage.py plan_report: the latest report of the period, or a preview drafted from the
records when none was drafted (nothing saved); refusals in words."""

import io

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from plans.models import PlanReport
from tests.plans.helpers import reference_plan, travel

pytestmark = pytest.mark.django_db

# The reference form's columns, word for word.
COLUMNS = ("Д/д", "Зорилт", "Хэрэгжүүлэх арга хэмжээ", "Шалгуур үзүүлэлт", "Гүйцэтгэл")


def test_an_undrafted_report_is_previewed_without_saving(units, personas, tmp_path):
    with travel():
        reference_plan(units, personas)
        out = tmp_path / "plan.docx"
        call_command("plan_report", unit="DG", year=2026, format="docx", out=str(out),
                     as_of="2026-11-15", stdout=io.StringIO())
    document = Document(str(out))
    assert tuple(c.text for c in document.tables[0].rows[0].cells) == COLUMNS
    assert "2026 оны 11 дүгээр сарын 15-ны байдлаар" in [p.text for p in document.paragraphs]
    assert not PlanReport.objects.exists()


def test_refusals_are_said_in_words(units, personas, tmp_path):
    with pytest.raises(CommandError, match="no approved plan"):
        call_command("plan_report", unit="DG", year=2026, format="pdf",
                     out=str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="not a day of 2026"):
        call_command("plan_report", unit="DG", year=2026, format="pdf",
                     out=str(tmp_path / "x.pdf"), as_of="2025-12-31")
    with pytest.raises(CommandError, match="no unit"):
        call_command("plan_report", unit="ZZ", year=2026, format="pdf",
                     out=str(tmp_path / "x.pdf"))
