"""The four exports of a monthly report and of a quarter's statistics: each opens in the
program that reads it and holds the report in Mongolian (Ө ө Ү ү included), states the nil
return when there is one, and never holds what a reporter wrote."""

import csv
import io
import zipfile
from datetime import date, datetime

import pytest
import time_machine
from django.utils import timezone, translation
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from intake.models import BoxOpening, Channel, Kind
from intake.services import Content, box_opening_record, staff_channel_log
from org.models import Membership
from reporting import exports, services
from reporting.figures import period_figures, quarter_period
from routing.models import AgencyAnswer
from routing.services import answer_record
from tests.routing.helpers import approved_referral, make_agency, triage

pytestmark = pytest.mark.django_db

UB = timezone.get_default_timezone()
OCTOBER = date(2026, 10, 1)
CANARY = "CANARY-7f3a"
CANARY_PHONE = "+97699017733"
PLACE = "Замын-Үүд сум"
AGENCY_REFERENCE = "АТГ-2026/077"
NIL_MN = ("Тайлант хугацаанд иргэдээс албан хаагчдад холбогдуулан авлига, ашиг сонирхлын "
          "зөрчилтэй холбоотой гомдол, мэдээлэл ирээгүй.")
WRITTEN_MN, REVIEWED_MN = "ТАЙЛАН БИЧСЭН", "ТАЙЛАН ХЯНАСАН"


def at(day: int, month: int = 10, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UB)


def placed_unit(units, personas):
    """The demo department, placed in Замын-Үүд, with named signatories."""
    unit = units["DG"]
    unit.place_mn, unit.place_en = PLACE, "Zamiin-Uud"
    unit.save()
    for role, first, position in (("clerk", "Өнөрмаа", "Архив, бичиг хэргийн эрхлэгч"),
                                  ("head", "Мөнхбаяр", "Хэлтсийн дарга")):
        user = personas[role]
        user.first_name, user.last_name = first, "Б."
        user.save()
        Membership.objects.filter(user=user, unit=unit).update(position=position)
    return unit


def log_complaint(unit, clerk, when: datetime):
    """A walk-in complaint whose every sealed field carries the canary."""
    with time_machine.travel(when, tick=False):
        return staff_channel_log(
            unit=unit, channel=Channel.WALK_IN, kind=Kind.COMPLAINT, received_at=when,
            content=Content(body=f"Хахууль нэхсэн {CANARY}", subject=f"Гомдол {CANARY}",
                            particulars={"where": f"Салбар {CANARY}"},
                            reporter={"name": f"Дорж {CANARY}", "phone": CANARY_PHONE}),
            logged_by=clerk,
        ).complaint


def approve(unit, personas, narrative="Тайлант сард гомдлыг хугацаанд нь шийдвэрлэв."):
    """Last month's report drafted, written up by the clerk and reviewed by the head."""
    with time_machine.travel(at(3, 11), tick=False):
        report, _created = services.report_draft(unit=unit, period=OCTOBER)
        report = services.report_narrative_save(report=report, by=personas["clerk"],
                                         narrative=narrative)
        report = services.report_prepare(report=report, by=personas["clerk"])
    with time_machine.travel(at(4, 11), tick=False):
        return services.report_approve(report=report, by=personas["head"])


def make_nil_report(dg, personas):
    """October with one complaint about service, none corruption-related, and a box opened
    with no slip in it."""
    complaint = log_complaint(dg, personas["clerk"], at(6))
    with time_machine.travel(at(7), tick=False):
        triage(complaint, personas["officer"], ("service_quality",), corruption=False,
               reason="Үйлчилгээний чанар.")
        box_opening_record(unit=dg, box=BoxOpening.Box.COMPLAINT, opened_at=at(7, hour=9),
                           opened_by=personas["clerk"], witness=personas["officer"],
                           slip_count=0, recorded_by=personas["clerk"])
    return approve(dg, personas)


def make_case_report(dg, personas):
    """October with a bribery complaint referred to the anti-corruption agency, which
    acknowledged it and sent a recommendation (its words carry the canary too)."""
    complaint = log_complaint(dg, personas["clerk"], at(6))
    with time_machine.travel(at(7), tick=False):
        triage(complaint, personas["officer"])
        referral = approved_referral(complaint, personas["officer"], personas["head"],
                                     make_agency())
    with time_machine.travel(at(20), tick=False):
        for kind, day in ((AgencyAnswer.Kind.ACKNOWLEDGEMENT, 9),
                          (AgencyAnswer.Kind.RECOMMENDATION, 20)):
            answer_record(referral=referral, kind=kind, answered_on=date(2026, 10, day),
                          by=personas["clerk"], agency_reference=AGENCY_REFERENCE,
                          text=f"Зөвлөмж {CANARY}")
    return approve(dg, personas), complaint, referral


@pytest.fixture
def dg(units, personas):
    return placed_unit(units, personas)


@pytest.fixture
def nil_report(dg, personas):
    return make_nil_report(dg, personas)


@pytest.fixture
def case_report(dg, personas):
    return make_case_report(dg, personas)


# --- reading the files back ----------------------------------------------------------------

def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [para.text for para in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def xlsx_text(data: bytes) -> str:
    sheets = load_workbook(io.BytesIO(data))
    return "\n".join(str(cell.value) for sheet in sheets for row in sheet.iter_rows()
                     for cell in row if cell.value is not None)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def csv_text(data: bytes) -> str:
    assert data.startswith("\ufeff".encode())
    return data.decode("utf-8-sig")


READERS = {"docx": docx_text, "xlsx": xlsx_text, "pdf": pdf_text, "csv": csv_text}


def text_of(export: exports.Export, fmt: str) -> str:
    """The export's text with runs of white space made one space (PDF lines wrap)."""
    return " ".join(READERS[fmt](export.data).split())


def unzipped(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


def assert_no_canary(export: exports.Export, fmt: str):
    raw = [export.data]
    if fmt in ("docx", "xlsx"):
        raw.append(unzipped(export.data))
    for blob in raw:
        for secret in (CANARY, CANARY_PHONE, "Дорж"):
            assert secret.encode() not in blob
            assert secret.encode("utf-16-be") not in blob
    text = READERS[fmt](export.data)
    for secret in (CANARY, CANARY_PHONE, "Дорж"):
        assert secret not in text


def in_mongolian(function, *args):
    with translation.override("mn"):
        return function(*args)


# --- the monthly report --------------------------------------------------------------------

@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_nil_month_exports_state_the_nil_return_in_mongolian(nil_report, dg, fmt):
    export = in_mongolian(exports.monthly, nil_report, fmt)
    assert export.filename == f"DG-T-2026-10.{fmt}"
    assert export.content_type == exports.CONTENT_TYPES[fmt]
    text = text_of(export, fmt)
    assert dg.name_mn.upper() in text.upper()  # "бүртгэлийн": ү
    assert PLACE in text
    assert "Үйлчилгээний чанар" in text  # the category's Mongolian name
    assert "Мөнхбаяр" in text and "Өнөрмаа" in text  # ө
    assert "Хэлтсийн дарга" in text
    assert NIL_MN in text
    assert WRITTEN_MN in text and REVIEWED_MN in text
    assert nil_report.document_sha256 in text
    assert_no_canary(export, fmt)


@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_month_with_a_corruption_complaint_lists_it_and_has_no_nil_return(case_report, fmt):
    report, complaint, referral = case_report
    export = in_mongolian(exports.monthly, report, fmt)
    text = text_of(export, fmt)
    assert complaint.reference in text
    assert referral.reference in text and "atg" in text
    assert "Хээл хахууль" in text
    assert AGENCY_REFERENCE in text
    assert "2026.10.20" in text or "2026-10-20" in text  # acknowledged; CSV has ISO dates
    assert "Зөвлөмж" in text  # the recommendation's kind, already in the catalogue
    assert NIL_MN not in text
    assert exports.nil_statement() not in text
    assert_no_canary(export, fmt)


def test_box_openings_are_listed_with_their_slips_even_none(nil_report):
    data = in_mongolian(exports.monthly, nil_report, "csv").data
    rows = list(csv.reader(io.StringIO(csv_text(data))))
    assert ["2026-10-07", "Гомдлын хайрцаг", "0"] in [row[1:] for row in rows]


def test_the_audit_checkpoint_is_stated(nil_report):
    mark = nil_report.figures["checkpoint"]
    text = text_of(in_mongolian(exports.monthly, nil_report, "docx"), "docx")
    assert mark["period_end_mac"][:16] in text
    assert mark["period_end_mac"] not in text
    assert str(mark["signed"]["seq"]) in text


def test_a_draft_is_dated_today_and_has_empty_signature_blocks(dg, personas):
    with time_machine.travel(at(2, 11), tick=False):
        report, _created = services.report_draft(unit=dg, period=OCTOBER)
        text = text_of(in_mongolian(exports.monthly, report, "docx"), "docx")
    assert "2026.11.02" in text
    assert "Өнөрмаа" not in text and "Мөнхбаяр" not in text


def test_the_approved_report_is_dated_the_day_it_was_approved(nil_report):
    text = text_of(in_mongolian(exports.monthly, nil_report, "pdf"), "pdf")
    assert "2026.11.04" in text


def test_the_pdf_of_a_report_is_the_same_bytes_every_time(nil_report):
    first = in_mongolian(exports.monthly, nil_report, "pdf").data
    with time_machine.travel(at(20, 12), tick=False):
        again = in_mongolian(exports.monthly, nil_report, "pdf").data
    assert first == again
    assert PdfReader(io.BytesIO(first)).metadata.title == "DG-T-2026-10"
    assert PdfReader(io.BytesIO(first)).metadata.author == "Shugel"


def test_the_pdf_embeds_dejavu_sans(nil_report):
    data = in_mongolian(exports.monthly, nil_report, "pdf").data
    assert b"DejaVuSans" in data


def test_without_the_fonts_the_pdf_says_how_to_install_them(nil_report, settings, tmp_path):
    settings.REPORT_FONT_DIR = str(tmp_path)
    with pytest.raises(exports.FontMissing, match="fonts-dejavu-core"):
        exports.monthly(nil_report, "pdf")


def test_an_unknown_format_is_refused(nil_report):
    with pytest.raises(ValueError):
        exports.monthly(nil_report, "odt")


def test_xlsx_keeps_numbers_as_numbers_and_formulas_as_text(dg, personas):
    narrative = "=HYPERLINK(\"http://example.com\")\n+1\n@SUM(A1)"
    with time_machine.travel(at(3, 11), tick=False):
        report, _created = services.report_draft(unit=dg, period=OCTOBER)
        report = services.report_narrative_save(report=report, by=personas["clerk"],
                                         narrative=narrative)
        data = in_mongolian(exports.monthly, report, "xlsx").data
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell for cell in cells if cell.data_type == "f"]
    assert 0 in [cell.value for cell in cells]  # the channel counts
    assert b"<f>" not in unzipped(data)
    texts = {cell.value: cell for cell in cells if isinstance(cell.value, str)}
    assert texts["+1"].quotePrefix


def test_csv_neutralises_formulas(dg, personas):
    with time_machine.travel(at(3, 11), tick=False):
        report, _created = services.report_draft(unit=dg, period=OCTOBER)
        report = services.report_narrative_save(report=report, by=personas["clerk"],
                                         narrative="=1+1")
        data = in_mongolian(exports.monthly, report, "csv").data
    cells = [cell for row in csv.reader(io.StringIO(csv_text(data))) for cell in row]
    assert "'=1+1" in cells and "=1+1" not in cells


def test_exports_follow_the_active_language(nil_report, dg):
    with translation.override("en"):
        text = text_of(exports.monthly(nil_report, "csv"), "csv")
        nil = exports.nil_statement()
    assert dg.name_en in text and "Zamiin-Uud" in text and "Service quality" in text
    assert nil in text
    assert ("No recommendation or notice was received from the agency in the reporting "
            "period.") in text
    assert dg.name_mn not in text and PLACE not in text


def test_month_phrase_in_mongolian():
    with translation.override("mn"):
        assert exports.month_phrase(date(2026, 10, 1)) == "2026 оны 10 дугаар сар"
        assert exports.month_phrase(date(2026, 11, 1)) == "2026 оны 11 дүгээр сар"


# --- quarterly statistics ------------------------------------------------------------------

@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_quarter_statistics_have_the_tables_and_no_signatures(case_report, dg, fmt):
    _report, complaint, _referral = case_report
    period = quarter_period(2026, 4)
    with time_machine.travel(at(5, 11), tick=False):
        figures = period_figures(dg.descendant_ids(), period, with_checkpoint=False)
        export = in_mongolian(exports.statistics, dg, period, figures, fmt)
    assert export.filename == f"DG-2026-Q4.{fmt}"
    text = text_of(export, fmt)
    assert dg.name_mn.upper() in text.upper()
    assert complaint.reference in text and "Хээл хахууль" in text
    assert WRITTEN_MN not in text and REVIEWED_MN not in text
    assert_no_canary(export, fmt)
