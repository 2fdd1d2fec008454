"""Dates are typed the Mongolian way in a browser set to English (core.dates): the clerk's
phone call form on a Mongolian page offers 2026.12.06 14:30, not 12/06/2026, 02:30 PM, and
what the clerk types that way is saved as Ulaanbaatar time. Screenshots at 1,280 and 390 px,
in both languages, go to var/screenshots/."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from intake.models import Complaint
from tests.conftest import PASSWORD
from tests.org.test_login import current_code

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
MOMENT = re.compile(r"^\d{4}\.\d{2}\.\d{2} \d{2}:\d{2}$")


def sign_in(page, base_url, user):
    page.goto(base_url + "/en/staff/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(current_code(user))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/u/DG/$"))


@pytest.mark.parametrize("size", sorted(SIZES))
def test_an_english_browser_types_a_call_s_time_the_mongolian_way(
    transactional_db, live_server, personas, units, browser, size
):
    width, height = SIZES[size]
    context = browser.new_context(locale="en-US", timezone_id="America/New_York",
                                  viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, personas["clerk"])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for language, prefix in (("en", "/en"), ("mn", "")):
        page.goto(f"{live_server.url}{prefix}/staff/u/DG/intake/calls/new/")
        started = page.locator("[name=started_at]")
        assert started.get_attribute("type") == "text"
        assert MOMENT.match(started.input_value()), started.input_value()
        page.screenshot(path=SCREENSHOTS / f"date-inputs-{language}-{width}.png",
                        full_page=True)

    # The pattern in the page is one Chromium reads: it refuses the American order and
    # lets through what the server reads.
    started.fill("12/06/2026 2:30 PM")
    assert started.evaluate("input => input.validity.patternMismatch")
    started.fill("2026.12.06 14:30")
    assert not started.evaluate("input => input.validity.patternMismatch")

    # Yesterday at 09:15 in Ulaanbaatar, typed with dashes as some people do.
    yesterday = timezone.localdate() - timedelta(days=1)
    started.fill(f"{yesterday:%Y-%m-%d} 9:15")
    page.locator("[name=line]").first.check()
    page.locator("[name=duration]").fill("4:30")
    page.locator("[name=kind]").first.check()
    page.locator("[name=body]").fill("Иргэний үнэмлэх авахад мөнгө нэхсэн гэв.")
    page.locator("[name=summary_confirmed]").check()
    page.locator("form button[type=submit]").last.click()
    expect(page.locator(".errors")).to_have_count(0)
    received = timezone.localtime(Complaint.objects.latest("pk").received_at)
    assert (received.date(), received.hour, received.minute) == (yesterday, 9, 15)
    context.close()
