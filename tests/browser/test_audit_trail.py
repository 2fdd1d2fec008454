"""The auditor reads a month of the audit trail in Chromium, in both languages, on a
1,280 px screen and on a 390 px phone: words, not codes; no page wider than the screen; the
raw record one click away. Screenshots go to var/screenshots/ (kept as CI artifacts)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.audit.scenario import working_month
from tests.conftest import PASSWORD
from tests.org.test_login import current_code

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
# Developer output: a model label and an id, a Python literal, a dict.
RAW_CODE = re.compile(r"\b[a-z_]+\.[a-z_]+\s+\d+|\bTrue\b|\bFalse\b|\bNone\b|\{'")
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


def sign_in(page, base_url, user):
    page.goto(base_url + "/en/staff/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(current_code(user))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/u/DG/$"))


def page_width(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_auditor_reads_the_trail_in_words_on_a_screen_and_a_phone(
    transactional_db, live_server, personas, units, browser, size
):
    working_month(units, personas)
    width, height = SIZES[size]
    context = browser.new_context(locale="en-US", timezone_id="Asia/Ulaanbaatar",
                                  viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, personas["auditor"])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for language, prefix in (("mn", ""), ("en", "/en")):
        page.goto(f"{live_server.url}{prefix}/staff/u/DG/audit/")
        expect(page.locator("table.events")).to_be_visible()
        text = page.locator("main").inner_text()
        assert not RAW_CODE.search(text), RAW_CODE.search(text).group(0)
        assert "DG-2026-00001" in text and "DG-2026-00001-R1" in text
        assert "Т. Head, хэлтсийн дарга" in text
        scroll, inner = page_width(page)
        assert scroll <= inner, f"{language} at {width} px is {scroll} px wide"
        page.screenshot(path=SCREENSHOTS / f"audit-{language}-{width}.png", full_page=True)

    # The raw record, one click away, as stored.
    first = page.locator("details.raw").first
    first.locator("summary").click()
    expect(first.locator("pre")).to_contain_text('"action": "report.approved"')
    scroll, inner = page_width(page)
    assert scroll <= inner
    page.screenshot(path=SCREENSHOTS / f"audit-raw-{width}.png")

    # Filtering by kind of action, from the list of labelled actions.
    page.get_by_label("What was done").select_option(label="Approved the monthly report")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.events tbody tr")).to_have_count(1)
    expect(page.locator("table.events")).to_contain_text("Approved the monthly report")
    context.close()
