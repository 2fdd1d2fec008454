"""`manage.py monthly_report`: writes each format, drafts a month that has no report yet,
writes to standard output with `--out -`, and refuses bad arguments with a clear message."""

import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from docx import Document

from reporting import exports
from reporting.models import MonthlyReport, State
from tests.reporting.test_exports import (
    NIL_MN,
    OCTOBER,
    PLACE,
    assert_no_canary,
    at,
    log_complaint,
    make_case_report,
    make_nil_report,
    placed_unit,
    text_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dg(units, personas):
    return placed_unit(units, personas)


@pytest.fixture
def nil_report(dg, personas):
    return make_nil_report(dg, personas)


@pytest.fixture
def case_report(dg, personas):
    return make_case_report(dg, personas)

MAGIC = {"docx": b"PK\x03\x04", "xlsx": b"PK\x03\x04", "pdf": b"%PDF-", "csv": b"\xef\xbb\xbf"}


def run(*args, **options) -> str:
    out = io.StringIO()
    with time_machine.travel(at(10, 11), tick=False):
        call_command("monthly_report", *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.mark.parametrize("fmt", exports.FORMATS)
def test_writes_each_format(nil_report, tmp_path, fmt):
    path = tmp_path / f"report.{fmt}"
    printed = run(unit="DG", month="2026-10", format=fmt, out=str(path))
    data = path.read_bytes()
    assert data.startswith(MAGIC[fmt])
    assert str(path) in printed and "DG-T-2026-10" in printed and "approved" in printed
    assert nil_report.document_sha256 in printed
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left
    export = exports.Export(data, exports.CONTENT_TYPES[fmt], path.name)
    assert PLACE in text_of(export, fmt)  # rendered in Mongolian


def test_renders_in_mongolian_whatever_the_active_language(nil_report, tmp_path):
    from django.utils import translation

    path = tmp_path / "report.docx"
    with translation.override("en"):
        run(unit="DG", month="2026-10", format="docx", out=str(path))
    text = text_of(exports.Export(path.read_bytes(), "", ""), "docx")
    assert NIL_MN in text and PLACE in text


def test_a_month_with_no_report_is_drafted_and_the_draft_exported(dg, personas, tmp_path):
    log_complaint(dg, personas["clerk"], at(6))
    path = tmp_path / "draft.csv"
    printed = run("--unit", "DG", "--month", "2026-10", "--format", "csv", "--out", str(path))
    report = MonthlyReport.objects.get(unit=dg, period=OCTOBER)
    assert report.state == State.DRAFT and report.drafted_by is None
    assert "DG-T-2026-10" in printed and "draft" in printed and "SHA-256" not in printed
    assert_no_canary(exports.Export(path.read_bytes(), "", ""), "csv")


def test_out_dash_writes_the_bytes_to_standard_output(nil_report):
    out, err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()
    with time_machine.travel(at(10, 11), tick=False):
        call_command("monthly_report", unit="DG", month="2026-10", format="pdf", out="-",
                     stdout=out, stderr=err)
    data = out.buffer.getvalue()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert "DG-T-2026-10" in err.getvalue()


def test_an_earlier_version_on_request(nil_report, personas, tmp_path):
    from reporting import services

    with time_machine.travel(at(5, 11), tick=False):
        services.report_correct(report=nil_report, by=personas["clerk"], reason="Тоо засав.")
    latest = run(unit="DG", month="2026-10", format="csv", out=str(tmp_path / "a.csv"))
    first = run(unit="DG", month="2026-10", format="csv", out=str(tmp_path / "b.csv"),
                version=1)
    assert "DG-T-2026-10-v2" in latest and "draft" in latest
    assert "DG-T-2026-10," in first and "approved" in first
    assert "DG-T-2026-10-v2" in (tmp_path / "a.csv").read_text(encoding="utf-8-sig")


def test_quarter_statistics(case_report, tmp_path):
    _report, complaint, _referral = case_report
    path = tmp_path / "q.xlsx"
    printed = run(unit="dg", quarter="2026-Q4", format="xlsx", out=str(path))
    assert "2026-Q4" in printed
    text = text_of(exports.Export(path.read_bytes(), "", ""), "xlsx")
    assert complaint.reference in text
    assert_no_canary(exports.Export(path.read_bytes(), "", ""), "xlsx")


@pytest.mark.parametrize(("options", "message"), [
    ({"unit": "NOPE", "month": "2026-10"}, "no unit"),
    ({"unit": "DG", "month": "2026-13"}, "not a month"),
    ({"unit": "DG", "month": "October"}, "not a month"),
    ({"unit": "DG", "month": "2027-01"}, "has not begun"),
    ({"unit": "DG", "month": "2026-10", "format": "odt"}, "invalid choice"),
    ({"unit": "DG", "month": "2026-10", "version": 7}, "no version 7"),
    ({"unit": "DG", "quarter": "2026-Q5"}, "not a quarter"),
    ({"unit": "DG", "quarter": "2027-Q1"}, "has not begun"),
    ({"unit": "DG", "quarter": "2026-Q4", "version": 1}, "monthly report only"),
    ({"unit": "DG", "month": "2026-10", "quarter": "2026-Q4"}, "not allowed with"),
    ({"unit": "DG"}, "one of the arguments --month --quarter is required"),
])
def test_bad_arguments_are_refused_clearly(dg, tmp_path, options, message):
    options = {"format": "docx", "out": str(tmp_path / "x.docx"), **options}
    with pytest.raises(CommandError, match=message):
        run(**options)
    assert not list(tmp_path.iterdir())
    assert not MonthlyReport.objects.exists()


def test_a_missing_folder_is_refused(nil_report, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        run(unit="DG", month="2026-10", format="docx", out=str(tmp_path / "no" / "x.docx"))


def test_missing_fonts_are_a_clear_error(nil_report, tmp_path, settings):
    settings.REPORT_FONT_DIR = str(tmp_path / "fonts")
    with pytest.raises(CommandError, match="fonts-dejavu-core"):
        run(unit="DG", month="2026-10", format="pdf", out=str(tmp_path / "x.pdf"))


def test_the_docx_holds_the_signature_headings(nil_report, tmp_path):
    path = tmp_path / "report.docx"
    run(unit="DG", month="2026-10", format="docx", out=str(path))
    paragraphs = [para.text for para in Document(str(path)).paragraphs]
    assert "ТАЙЛАН БИЧСЭН:" in paragraphs and "ТАЙЛАН ХЯНАСАН:" in paragraphs
