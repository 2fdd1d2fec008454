"""The poster: what it says, that its QR code leads exactly to the unit's report form, and
that it is refused (with a reason) rather than printed with a guessed address."""

import os
import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from pypdf import PdfReader

from outreach.poster import poster_pdf, report_address

PUBLIC = "https://shugel.example.mn"
# CI installs both and sets SHUGEL_REQUIRE_BROWSER=1: there a missing tool fails the test.
needs_tools = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg"))
    and os.environ.get("SHUGEL_REQUIRE_BROWSER") != "1",
    reason="needs pdftoppm (poppler-utils) and zbarimg (zbar-tools); CI installs them")


@pytest.fixture
def public(settings):
    settings.PUBLIC_URL = PUBLIC
    settings.AGENCY_HOTLINE = "110"
    return settings


def _text(data: bytes, tmp_path) -> str:
    path = tmp_path / "poster.pdf"
    path.write_bytes(data)
    return " ".join(page.extract_text() for page in PdfReader(path).pages)


def _decoded(data: bytes, tmp_path) -> list[str]:
    (tmp_path / "poster.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", tmp_path / "poster.pdf",
                    tmp_path / "page"], check=True)
    found = subprocess.run(["zbarimg", "--raw", "-q", tmp_path / "page.png"],
                           capture_output=True, text=True)
    return found.stdout.split()


@pytest.mark.parametrize("size", ["A4", "A3"])
def test_the_poster_names_both_lines_and_the_address_in_mongolian(units, public, tmp_path,
                                                                    size):
    text = _text(poster_pdf(units["DG"], size=size), tmp_path)
    assert "7052-2200" in text and "110" in text
    assert f"{PUBLIC}/report/?unit=DG" in text.replace(" ", "").replace("\n", "")
    assert "Дорноговь аймгийн" in text
    assert f"{timezone.localdate().year} оны" in text  # the month it was printed


@needs_tools
@pytest.mark.parametrize("language, path", [("mn", "/report/"), ("en", "/en/report/")])
def test_the_qr_code_decodes_to_exactly_the_report_forms_address(units, public, tmp_path,
                                                                  language, path):
    data = poster_pdf(units["DG"], size="A4", language=language)
    assert _decoded(data, tmp_path) == [f"{PUBLIC}{path}?unit=DG"]


def test_the_address_opens_the_form_with_the_unit_chosen(units, public, client):
    address = report_address(units["DG"])
    page = client.get(address.removeprefix(PUBLIC)).content.decode()
    chosen = f'<option value="{units["DG"].pk}" selected>'
    assert chosen in page
    garbage = client.get("/report/?unit=%3Cscript%3E").content.decode()
    assert chosen not in garbage and "<script>" not in garbage


def test_without_the_public_address_the_poster_is_refused_not_guessed(units, settings,
                                                                     personas, signed_in):
    settings.PUBLIC_URL = ""
    with pytest.raises(CommandError, match="SHUGEL_PUBLIC_URL"):
        call_command("poster", unit="DG", size="A4", out="/dev/null")
    client = signed_in(personas["clerk"])
    page = client.get("/staff/u/DG/poster/A4.pdf")
    assert page.status_code == 409 and b'id="poster-problem"' in page.content
    assert page["Content-Type"].startswith("text/html")


def test_the_command_writes_the_same_poster_as_the_page(units, public, personas, signed_in,
                                                        tmp_path):
    out = tmp_path / "poster.pdf"
    call_command("poster", unit="DG", size="A3", lang="en", out=str(out))
    page = signed_in(personas["head"]).get("/staff/u/DG/poster/A3.pdf?lang=en")
    assert page.status_code == 200 and page["Content-Type"] == "application/pdf"
    assert page.content == out.read_bytes()
    assert "Anti-Corruption Agency hotline" in _text(out.read_bytes(), tmp_path)


def test_an_unknown_size_or_language_is_not_found(units, public, personas, signed_in):
    client = signed_in(personas["clerk"])
    assert client.get("/staff/u/DG/poster/A5.pdf").status_code == 404
    assert client.get("/staff/u/DG/poster/A4.pdf?lang=ru").status_code == 404


@needs_tools
def test_with_a_survey_round_the_poster_has_its_qr_code_too(units, personas, public,
                                                             tmp_path):
    from datetime import timedelta

    from surveys.services import Period, survey_round_open

    today = timezone.localdate()
    assert _decoded(poster_pdf(units["DG"]), tmp_path) == [f"{PUBLIC}/report/?unit=DG"]
    survey_round_open(unit=units["DG"], by=personas["clerk"],
                      period=Period(first_day=today, last_day=today + timedelta(days=30)))
    found = _decoded(poster_pdf(units["DG"]), tmp_path)
    assert sorted(found) == [f"{PUBLIC}/report/?unit=DG", f"{PUBLIC}/survey/DG/"]
