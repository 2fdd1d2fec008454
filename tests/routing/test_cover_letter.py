"""The cover letter an officer starts a referral from reads as Mongolian: every name and word
put into it takes its case ending (Авлигатай тэмцэх газарт, гомдлыг, хээл хахуулийн асуудалд),
for every demo agency and unit and every way a complaint comes in; no "-т" is glued to a
word."""

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from intake.models import Channel, Kind
from intake.services import Content, phone_call_log, staff_channel_log, web_report_submit
from org.management.commands.seed_demo import UNITS
from org.models import Unit
from outbox.demo import AGENCIES
from routing.cover_letter import cover_letter_draft
from tests.intake.pages_case import CASE, UB, make_case
from tests.routing.helpers import make_agency, triage

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 6, 14, 30, tzinfo=UB)
WEB_REPORT = "Гэрчилгээ авахаар очиход ажилтан 100 мянган төгрөг нэхсэн."

# The first line of the letter: the agency, in the dative, by agency code.
ADDRESSED_TO = {
    "atg": "Авлигатай тэмцэх газарт",
    "dg-prosecutor": "Дорноговь аймгийн Прокурорын газарт",
    "dg-police": "Дорноговь аймгийн Цагдаагийн газарт",
    "ubeg": "Улсын бүртгэлийн ерөнхий газарт",
}
# The unit a complaint came to, in the dative, by unit code.
RECEIVED_BY = {
    "UBEG": "Улсын бүртгэлийн ерөнхий газарт",
    "DG": "Дорноговь аймгийн Улсын бүртгэлийн хэлтэст",
    "DGZU": "Замын-Үүд сум дахь улсын бүртгэлийн тасагт",
    "DU": "Дундговь аймгийн Улсын бүртгэлийн хэлтэст",
}
# A case ending glued to a Cyrillic word with a hyphen: "газар-т", "гомдол-ийг".
GLUED = re.compile(
    r"[а-яөүё]-(т|д|ад|эд|од|өд|ид|г|ыг|ийг|ын|ийн|н|ны|ний|нд|аар|ээр|оор|өөр|гаар|гээр|"
    r"аас|ээс|оос|өөс|гаас|гээс|наас|нээс|ноос|нөөс)(?![а-яөүё])")


@pytest.fixture(autouse=True)
def _on_a_december_afternoon():
    with time_machine.travel(NOW, tick=False):
        yield


def _demo_agency(code):
    code, kind, delivery, default, name_mn, name_en, address = next(
        row for row in AGENCIES if row[0] == code)
    return make_agency(code, delivery=delivery, default=default, kind=kind, name_mn=name_mn,
                       name_en=name_en, postal_address=address)


def _web_report(unit):
    return web_report_submit(unit=unit, kind=Kind.COMPLAINT, content=Content(body=WEB_REPORT),
                             submission_token=f"letter-{unit.code}", language="mn").complaint


def test_every_demo_agency_and_unit_has_its_expected_form():
    assert set(ADDRESSED_TO) == {row[0] for row in AGENCIES}
    assert set(RECEIVED_BY) == {row[0] for row in UNITS}


@pytest.mark.parametrize("code", ADDRESSED_TO)
def test_the_letter_to_each_demo_agency_reads_correctly(units, personas, code):
    complaint = _web_report(units["DG"])
    decision = triage(complaint, personas["officer"], ("bribery",))
    letter = cover_letter_draft(complaint, _demo_agency(code), decision)
    assert letter.splitlines()[0] == ADDRESSED_TO[code]
    assert (
        f"Дорноговь аймгийн Улсын бүртгэлийн хэлтэст 2026.12.06-ны өдөр цахим маягтаар ирсэн "
        f"{complaint.reference} дугаартай гомдлыг хээл хахуулийн асуудалд холбогдох тул "
        f"харьяаллын дагуу шийдвэрлүүлэхээр шилжүүлж байна."
    ) in letter
    assert f"Хариуг {complaint.reference} дугаарт холбогдуулан ирүүлнэ үү." in letter
    assert letter.rstrip().endswith("\nДорноговь аймгийн Улсын бүртгэлийн хэлтэс")
    assert not GLUED.search(letter), GLUED.search(letter)


def test_the_glued_ending_check_catches_the_old_letter_and_spares_numbers_and_letters():
    for glued in ("Авлигатай тэмцэх газар-т", "хэлтэс-т", "гомдол-ийг", "газар-аас"):
        assert GLUED.search(glued), glued
    for fine in ("2026.12.06-ны өдөр", "DG-2026-00001 дугаартай", "АТГ-ын", "Замын-Үүд"):
        assert not GLUED.search(fine), fine


@pytest.mark.parametrize("code", RECEIVED_BY)
def test_the_letter_names_each_demo_unit_in_the_dative(units, personas, code):
    if code not in units:
        row = next(row for row in UNITS if row[0] == code)
        units[code] = Unit.objects.create(code=code, kind=row[1], parent=units[row[2]],
                                          name_mn=row[3], name_en=row[4])
    complaint = _web_report(units[code])
    letter = cover_letter_draft(complaint, _demo_agency("atg"), None)
    assert f"\n{RECEIVED_BY[code]} 2026.12.06-ны өдөр" in letter
    assert letter.rstrip().endswith(f"\n{units[code].name_mn}")
    assert not GLUED.search(letter)


def test_several_categories_share_one_genitive_at_the_end(units, personas):
    complaint = _web_report(units["DG"])
    decision = triage(complaint, personas["officer"],
                      ("bribery", "conflict_of_interest", "abuse_of_office"))
    letter = cover_letter_draft(complaint, _demo_agency("atg"), decision)
    assert ("гомдлыг хээл хахууль, ашиг сонирхлын зөрчил, албан тушаалын байдлаа урвуулан "
            "ашиглахын асуудалд холбогдох тул") in letter


def test_without_a_triage_decision_the_letter_names_no_matter(units, personas):
    letter = cover_letter_draft(_web_report(units["DG"]), _demo_agency("atg"), None)
    assert "дугаартай гомдлыг харьяаллын дагуу шийдвэрлүүлэхээр" in letter
    assert "асуудалд" not in letter


@pytest.mark.parametrize("channel, kind, words", [
    (Channel.LETTER, Kind.COMPLAINT, "өдөр албан бичгээр ирсэн"),
    (Channel.EMAIL, Kind.COMPLAINT, "өдөр цахим шуудангаар ирсэн"),
    (Channel.SOCIAL, Kind.COMPLAINT, "өдөр олон нийтийн сүлжээгээр ирсэн"),
    (Channel.WALK_IN, Kind.COMPLAINT, "өдөр биечлэн ирж гаргасан"),
    (Channel.NOTEBOOK, Kind.SUGGESTION, "өдөр санал хүсэлтийн дэвтэрт бичсэн"),
])
def test_each_way_in_is_named_in_its_case(units, personas, channel, kind, words):
    complaint = staff_channel_log(
        unit=units["DG"], channel=channel, kind=kind, received_at=NOW - timedelta(days=5),
        content=Content(body="Бичиг баримт дутуу гэж буцаасан."),
        logged_by=personas["clerk"]).complaint
    letter = cover_letter_draft(complaint, _demo_agency("atg"), None)
    assert f"хэлтэст 2026.12.01-ний {words} {complaint.reference} дугаартай" in letter
    assert ("санал хүсэлтийг" if kind == Kind.SUGGESTION else "гомдлыг") in letter
    assert not GLUED.search(letter)


def test_a_phone_call_came_by_the_phone_line(units, personas):
    complaint = phone_call_log(
        unit=units["DG"], line="7052-2200", started_at=NOW - timedelta(hours=3),
        duration_seconds=240, kind=Kind.COMPLAINT, content=Content(body="Чирэгдэл."),
        summary_confirmed=True, give_receipt=False, logged_by=personas["clerk"]).complaint
    letter = cover_letter_draft(complaint, _demo_agency("atg"), None)
    assert "2026.12.06-ны өдөр утасны шугамаар ирсэн" in letter


def test_the_officer_sees_the_grammatical_draft_on_the_case_page(
    client, units, personas, signed_in
):
    complaint = make_case(units, personas)
    _demo_agency("atg")
    triage(complaint, personas["officer"])
    signed_in(personas["officer"])
    page = client.post(reverse("intake:case_read", kwargs=CASE)).content.decode()
    assert "Авлигатай тэмцэх газарт\n" in page
    assert "хэлтэст 2026.03.02-ны өдөр албан бичгээр ирсэн" in page
    assert "хээл хахуулийн асуудалд" in page
    assert not GLUED.search(page)
