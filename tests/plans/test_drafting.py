"""Measure 3.1 drafted from the satisfaction surveys (the reference's four rounds of 400
answers: 74, 24 and 2 %), its sentences in the DOCX and the PDF; the scale of levels is a
setting."""

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from docx import Document
from pypdf import PdfReader

from plans import reports
from plans.document import build
from plans.writers import render
from tests.plans.helpers import YEAR, reference_plan, travel
from tests.surveys.helpers import open_round, tally

pytestmark = pytest.mark.django_db

def reference_rounds(units, personas):
    """The reference's measure 3.1: four rounds of 400 paper forms, 74 % got the service
    they came for, 24 % came for advice, 2 % found it crowded."""
    for quarter in range(4):
        first = date(YEAR, 3 * quarter + 1, 1)
        survey = open_round(units["DG"], personas["clerk"], first,
                            date(YEAR, 3 * quarter + 3, 28))
        tally(survey, personas["clerk"], 400, got=296, advice=96, crowded=8)


def test_without_survey_answers_measure_3_1_says_so(units, personas):
    with travel():
        report = reports.plan_report_draft(plan=reference_plan(units, personas), key="year",
                                           by=personas["clerk"])
    line = report.performances.get(measure__number="3.1")
    assert line.figures == {"rounds": 0, "answers": 0} and "судалгаа" in line.text


def test_the_surveys_write_measure_3_1_into_the_docx_and_pdf(units, personas):
    reference_rounds(units, personas)
    with travel():
        report = reports.plan_report_draft(plan=reference_plan(units, personas), key="year",
                                           by=personas["clerk"])
    line = report.performances.get(measure__number="3.1")
    assert (line.figures["rounds"], line.figures["answers"]) == (4, 1600)
    document = build(report)
    docx = Document(io.BytesIO(render(document, "docx")))
    cells = " ".join(cell.text for row in docx.tables[0].rows for cell in row.cells)
    pdf = " ".join("".join(page.extract_text() for page in PdfReader(
        io.BytesIO(render(document, "pdf"))).pages).split())
    for text in (cells, " ".join(cells.split())):
        assert "1600" in text.replace(" ", "").replace("\u202f", "")
    for figure in ("74 %", "24 %", "2 %"):
        assert figure in cells and figure in pdf, figure


def test_the_scale_of_levels_is_a_setting(units, personas, settings):
    settings.PLAN_LEVELS = (0, 25, 50, 75, 100)
    with travel():
        report = reports.plan_report_draft(plan=reference_plan(units, personas), key="half",
                                           by=personas["clerk"])
        line = report.performances.first()
        reports.performance_edit(performance=line, text="x", level=75, by=personas["clerk"])
        with pytest.raises(ValidationError):
            reports.performance_edit(performance=line, text="x", level=70,
                                     by=personas["clerk"])
