"""The implementation report: measure 3.2 drafted from the approved monthly reports (both
nil statements when nothing came in, counts otherwise), stale when the records move on,
prepared and approved by two people, frozen and hashed, corrected by a new version; and
its DOCX and PDF in the reference's shape."""

import io
from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from docx import Document
from pypdf import PdfReader

from audit.models import AuditEvent
from plans import reports
from plans.document import average_level, build, signed_name
from plans.services import training_record
from plans.writers import render
from tests.plans.helpers import NOW, measure, reference_plan
from tests.plans.test_command import COLUMNS
from tests.reporting.test_exports import NIL_MN, make_case_report, make_nil_report, placed_unit

pytestmark = pytest.mark.django_db

AGENCY_NIL_MN = "Тайлант хугацаанд байгууллагаас зөвлөмж, мэдэгдэл ирээгүй."
AS_OF = "2026-11-15"


@pytest.fixture
def dg(units, personas):
    return placed_unit(units, personas)


def drafted(units, personas, key=AS_OF):
    with time_machine.travel(NOW, tick=False):
        plan = reference_plan(units, personas)
        training_record(unit=units["DG"], measure=measure(plan, "3.3"), day=date(2026, 4, 8),
                        topic="Мэдээллийн ил тод байдал", trainer="Э.Уранбилэг",
                        articles="6.2, 8.1", attendee_ids=[personas["clerk"].pk,
                                                           personas["head"].pk],
                        by=personas["clerk"])
        return reports.plan_report_draft(plan=plan, key=key, by=personas["clerk"])


def performance(report, number):
    return report.performances.get(measure__number=number)


def test_measure_3_2_states_both_nil_statements_when_nothing_came_in(dg, units, personas):
    make_nil_report(dg, personas)
    report = drafted(units, personas)
    line = performance(report, "3.2")
    assert AGENCY_NIL_MN in line.text and NIL_MN in line.text
    assert line.figures["corruption"] == 0 and line.figures["months"] == ["2026-10"]
    assert "2026-09" in line.figures["months_missing"]


def test_measure_3_2_counts_what_the_approved_monthly_reports_counted(dg, units, personas):
    make_case_report(dg, personas)
    line = performance(drafted(units, personas), "3.2")
    assert (line.figures["corruption"], line.figures["recommendations"]) == (1, 1)
    assert NIL_MN not in line.text and AGENCY_NIL_MN not in line.text


def test_a_draft_made_from_other_figures_is_stale(dg, units, personas):
    report = drafted(units, personas)
    line = performance(report, "3.2")
    assert reports.staleness(line, reports.report_period(report)) is None
    make_case_report(dg, personas)
    stale = reports.staleness(line, reports.report_period(report))
    assert {"key": "corruption", "was": 0, "now": 1} in stale


def test_the_training_and_its_coverage_are_in_measure_3_3(dg, units, personas):
    line = performance(drafted(units, personas), "3.3")
    assert line.figures["trainings"][0]["attended"] == 2
    assert "Э.Уранбилэг" in line.text and "6.2, 8.1" in line.text and "40%" in line.text


def test_prepared_by_one_approved_by_another_then_frozen_and_hashed(dg, units, personas):
    report = drafted(units, personas)
    line = performance(report, "1.1")
    with time_machine.travel(NOW, tick=False):
        reports.performance_edit(performance=line, text="Шторк үзүүлсэн.", level=70,
                                 by=personas["clerk"])
        with pytest.raises(ValidationError):
            reports.performance_edit(performance=line, text="x", level=42,
                                     by=personas["clerk"])
        report = reports.plan_report_prepare(report=report, by=personas["clerk"])
        with pytest.raises(ValidationError):
            reports.performance_edit(performance=line, text="x", level=0,
                                     by=personas["clerk"])
        report = reports.plan_report_approve(report=report, by=personas["head"])
    event = AuditEvent.objects.get(action="plan.report_approved")
    assert report.document_sha256 and report.document_sha256 in event.details
    assert average_level(report.performances.all()) == 10  # 70 / 7
    with time_machine.travel(NOW, tick=False):
        corrected = reports.plan_report_correct(report=report, reason="Тоо буруу",
                                                by=personas["clerk"])
    assert corrected.version == 2 and performance(corrected, "1.1").level == 70


def test_the_head_who_prepared_cannot_approve(dg, units, personas):
    report = drafted(units, personas)
    with time_machine.travel(NOW, tick=False):
        report = reports.plan_report_prepare(report=report, by=personas["head"])
        with pytest.raises(ValidationError):
            reports.plan_report_approve(report=report, by=personas["head"])


def _approved(units, personas):
    report = drafted(units, personas)
    with time_machine.travel(NOW, tick=False):
        report = reports.plan_report_prepare(report=report, by=personas["clerk"])
        return reports.plan_report_approve(report=report, by=personas["head"])


def test_the_docx_has_the_five_columns_the_nil_statements_and_the_signatures(
        dg, units, personas):
    make_nil_report(dg, personas)
    report = _approved(units, personas)
    doc = Document(io.BytesIO(render(build(report), "docx")))
    table = doc.tables[0]
    assert tuple(cell.text for cell in table.rows[0].cells) == COLUMNS
    assert table.rows[1].cells[0].text.startswith("Зорилт 1.")
    assert len({id(cell._tc) for cell in table.rows[1].cells}) == 1  # the goal spans the row
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(cell.text for row in table.rows for cell in row.cells)
    assert NIL_MN in cells and AGENCY_NIL_MN in cells
    assert "ДОРНОГОВЬ АЙМГИЙН УЛСЫН БҮРТГЭЛИЙН ХЭЛТСИЙН АВЛИГЫН ЭСРЭГ" in text
    assert "2026 ОНЫ ТӨЛӨВЛӨГӨӨНИЙ ХЭРЭГЖИЛТ" in text
    assert "2026 оны 11 дүгээр сарын 15-ны өдөр" in text and "Замын-Үүд сум" in text
    assert "ТАЙЛАН БИЧСЭН:" in text and "ТАЙЛАН ХЯНАСАН:" in text
    assert "Б.ӨНӨРМАА" in text and "Б.МӨНХБАЯР" in text
    assert doc.sections[0].page_width > doc.sections[0].page_height


def test_the_pdf_and_xlsx_say_the_same(dg, units, personas):
    make_nil_report(dg, personas)
    report = _approved(units, personas)
    pdf = "".join(page.extract_text() for page in
                  PdfReader(io.BytesIO(render(build(report), "pdf"))).pages)
    flat = " ".join(pdf.split())
    assert "Гүйцэтгэл" in flat and " ".join(NIL_MN.split()) in flat
    assert render(build(report), "xlsx")[:2] == b"PK"


def test_a_name_is_signed_with_the_initial_and_the_given_name(personas):
    user = personas["clerk"]
    user.first_name, user.last_name = "Цэндмаа", "Нямаа"
    assert signed_name(user) == "Н.ЦЭНДМАА"
    user.last_name = "Н."
    assert signed_name(user) == "Н.ЦЭНДМАА"


def test_the_approved_report_is_queued_for_the_agency(dg, units, personas):
    from outbox.models import Outbox
    from plans.deliveries import OUTBOX_KIND
    from tests.routing.helpers import make_agency

    make_agency()
    report = _approved(units, personas)
    row = Outbox.objects.get(subject_kind=OUTBOX_KIND, subject_id=report.pk)
    assert row.subject_reference == "DG-AP-2026-2026-11-15-v1"
    event = AuditEvent.objects.get(action="plan.report_approved")
    assert row.agency.code in event.details
