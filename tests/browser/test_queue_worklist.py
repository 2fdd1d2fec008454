"""The queue as an officer scans it, in Chromium: on a 1,280 px screen and on a 390 px phone,
in Mongolian and in English, nothing scrolls sideways; a reference number typed in part finds
its case; the "not assigned" view leaves out the assigned ones. Screenshots go to
var/screenshots/ (not committed) for a person to look at."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from intake.case.worklist import case_assign, case_title_set
from intake.models import Channel, Kind
from intake.services import Content, phone_call_log, staff_channel_log, web_report_submit
from tests.conftest import sign_in
from tests.routing.helpers import triage

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = {"phone": (390, 844), "desk": (1280, 800)}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def some_cases(units, personas):
    """Cases of every look a row can have: long titles, several categories, none yet."""
    dg, clerk, officer, head = (units["DG"], personas["clerk"], personas["officer"],
                                personas["head"])
    now = timezone.now()
    made = [
        web_report_submit(unit=dg, kind=Kind.COMPLAINT, content=Content(body="Хахууль нэхсэн"),
                          submission_token="b" * 40, language="mn").complaint,
        phone_call_log(unit=dg, line="7052-2200", started_at=now - timedelta(hours=2),
                       duration_seconds=200, kind=Kind.COMPLAINT,
                       content=Content(body="Чирэгдэл"), summary_confirmed=True,
                       give_receipt=False, logged_by=clerk,
                       title="Иргэний үнэмлэх солиход гурван удаа буцааж чирэгдүүлсэн").complaint,
    ]
    for number in range(4):
        made.append(staff_channel_log(
            unit=dg, channel=Channel.LETTER if number % 2 else Channel.SOCIAL,
            kind=Kind.SUGGESTION if number == 3 else Kind.COMPLAINT,
            received_at=now - timedelta(days=number + 1), content=Content(body="Захидал"),
            logged_by=clerk).complaint)
    case_title_set(complaint=made[0], by=officer,
                   title="Гэрлэлтийн гэрчилгээ олгоход 3-р цонхны ажилтан мөнгө нэхсэн")
    case_title_set(complaint=made[2], by=clerk, title="Х" * 80)  # one unbroken word
    triage(made[0], officer, ("bribery", "abuse_of_office", "staff_conduct"))
    triage(made[1], officer, ("red_tape", "service_quality"))
    case_assign(complaint=made[0], officer=officer, by=head)
    case_assign(complaint=made[1], officer=officer, by=head)
    return made


@pytest.fixture
def signed_in_page(browser, live_server, personas):
    """A browser signed in as the officer (the session made as the sign-in form would)."""
    client = Client()
    sign_in(client, personas["officer"])
    context = browser.new_context(locale="en-GB", timezone_id="Asia/Ulaanbaatar")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.mark.parametrize("language", ["mn", "en"])
def test_the_queue_fits_a_phone_and_a_desk_in_both_languages(
    transactional_db, live_server, units, personas, signed_in_page, language
):
    some_cases(units, personas)
    page = signed_in_page
    prefix = "" if language == "mn" else "/en"
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}{prefix}/staff/u/DG/queue/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("table.queue tbody tr")).to_have_count(6)
        page.screenshot(path=str(SHOTS / f"queue-{language}-{width}.png"), full_page=True)
        assert page.evaluate(NO_SIDEWAYS_SCROLL), (
            f"{name}: {page.evaluate('document.documentElement.scrollWidth')} px wide "
            f"at {width} px")
        rows = page.locator("table.queue tbody tr")
        if name == "phone":
            # Each row is a card: the reference above, each value under its label.
            assert rows.first.evaluate("row => getComputedStyle(row).display") == "block"
        else:
            assert rows.first.evaluate("row => getComputedStyle(row).display") == "table-row"


def test_a_reference_typed_in_part_finds_its_case_and_the_views_narrow_the_list(
    transactional_db, live_server, units, personas, signed_in_page
):
    made = some_cases(units, personas)
    page = signed_in_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/en/staff/u/DG/queue/")
    wanted = made[2].reference
    page.get_by_label("Reference number").fill(wanted[-5:].lower())
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(wanted)
    expect(rows.first).to_contain_text("Х" * 80)

    page.get_by_role("link", name="Clear filters").click()
    page.get_by_role("link", name="Not assigned").click()
    expect(page.get_by_role("link", name="Not assigned")).to_have_attribute(
        "aria-current", "page")
    expect(rows).to_have_count(4)
    page.get_by_role("link", name="Assigned to me").click()
    expect(rows).to_have_count(2)
    expect(page.locator("table.queue")).to_contain_text("Corruption-related")
    page.screenshot(path=str(SHOTS / "queue-en-390-mine.png"), full_page=True)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
