"""The seam the surveys app fills: a drafter registered for a source writes that source's
measures (the reference's measure 3.1, four rounds of 400 answers: 74, 24 and 2 %), and its
sentences reach the DOCX and the PDF; the scale of levels is a setting."""

import io

import pytest
from django.core.exceptions import ValidationError
from docx import Document
from pypdf import PdfReader

from plans import drafting, reports
from plans.document import build
from plans.models import Source
from plans.writers import render
from tests.plans.helpers import reference_plan, travel

pytestmark = pytest.mark.django_db

SURVEY_TEXT = ("Тайлант хугацаанд 4 удаа 400 иргэнээс сэтгэл ханамжийн судалгаа авсан. "
               "74 хувь нь хүссэн үйлчилгээгээ авч чадсан, 24 хувь нь зөвлөгөө, мэдээлэл "
               "авдаг, 2 хувь нь ачаалал ихтэй байна гэж хариулсан.")


@pytest.fixture
def survey_drafter():
    before = drafting._drafters[Source.SURVEYS]

    def from_surveys(unit, measure, period):
        return drafting.Draft(SURVEY_TEXT, {"rounds": 4, "answers": 1600,
                                            "percentages": [74, 24, 2]})

    drafting.register(Source.SURVEYS, from_surveys)
    yield
    drafting.register(Source.SURVEYS, before)


def test_without_the_surveys_app_measure_3_1_is_left_to_the_clerk(units, personas):
    with travel():
        report = reports.plan_report_draft(plan=reference_plan(units, personas), key="year",
                                           by=personas["clerk"])
    line = report.performances.get(measure__number="3.1")
    assert (line.text, line.figures) == ("", {})


def test_a_registered_drafter_writes_measure_3_1_into_the_docx_and_pdf(
        units, personas, survey_drafter):
    with travel():
        report = reports.plan_report_draft(plan=reference_plan(units, personas), key="year",
                                           by=personas["clerk"])
    line = report.performances.get(measure__number="3.1")
    assert line.figures["answers"] == 1600
    document = build(report)
    docx = Document(io.BytesIO(render(document, "docx")))
    cells = " ".join(cell.text for row in docx.tables[0].rows for cell in row.cells)
    assert "4 удаа 400 иргэнээс" in cells and "74 хувь" in cells and "2 хувь" in cells
    pdf = " ".join("".join(page.extract_text() for page in PdfReader(
        io.BytesIO(render(document, "pdf"))).pages).split())
    assert "74 хувь нь хүссэн үйлчилгээгээ" in pdf and "24 хувь" in pdf


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
