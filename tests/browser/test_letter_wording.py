"""The pages where a name goes into a Mongolian sentence, read in Chromium at 1,280 and
390 px: the officer's draft cover letter (Авлигатай тэмцэх газарт ...), the month's report
with its letter to the agency, the legal hold on the case page and the status page's ages.
The letter fits the screen's width; the rest of those pages is fitted to a phone by other
work of issue 17 (point 10). The screenshots land in var/screenshots/."""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from intake.case.services import complaint_close
from outbox.models import Agency, Outbox
from tests.conftest import sign_in
from tests.intake.pages_case import CASE, NOW, make_case
from tests.reporting.pages_reporting import NOW as REPORT_NOW
from tests.reporting.pages_reporting import ON_MONTH, make_report
from tests.routing.helpers import make_agency, triage
from tests.routing.test_cover_letter import GLUED
from vault.models import DataKey

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = (1280, 390)


def _signed_in_context(browser, live_server, user, width):
    client = Client()
    sign_in(client, user)
    context = browser.new_context(locale="mn-MN", timezone_id="Asia/Ulaanbaatar",
                                  viewport={"width": width, "height": 900})
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _look(page, name, width, part=None, *, fits=True):
    """A screenshot of the page, and of `part` when given; the page, or only `part` where
    the rest of the page is another piece of work's, fits the screen's width."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"e-{name}-{width}.png"), full_page=True)
    if part is not None:
        part.screenshot(path=str(SHOTS / f"e-{name}-part-{width}.png"))
    if not fits:
        return
    if part is None:
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} at {width} px scrolls sideways by {overflow} px"
        return
    box = part.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (name, width, box)
    assert part.evaluate("e => e.scrollWidth <= e.clientWidth"), (name, width, "overflows")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_officer_reads_a_grammatical_draft_letter(
    browser, transactional_db, live_server, units, personas, width
):
    with time_machine.travel(NOW, tick=True):
        complaint = make_case(units, personas)
        make_agency()
        triage(complaint, personas["officer"])
        context, page = _signed_in_context(browser, live_server, personas["officer"], width)
        page.goto(live_server.url + reverse("intake:case", kwargs=CASE))
        page.get_by_role("button", name="Хэргийг унших").click()
        letter = page.locator("textarea[name='refer-cover_letter']").input_value()
        assert letter.startswith("Авлигатай тэмцэх газарт\n")
        assert "хэлтэст 2026.03.02-ны өдөр албан бичгээр ирсэн" in letter
        assert "гомдлыг хээл хахуулийн асуудалд" in letter and not GLUED.search(letter)
        # The case page as a whole is being fitted to a phone elsewhere (issue 17, point 10).
        _look(page, "case-letter", width, page.locator("textarea[name='refer-cover_letter']"))
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_clerk_reads_the_letter_to_send(
    browser, transactional_db, live_server, units, personas, width
):
    with time_machine.travel(REPORT_NOW, tick=True):
        make_report(units, personas, "approved")
        context, page = _signed_in_context(browser, live_server, personas["clerk"], width)
        page.goto(live_server.url + reverse("reporting:month", kwargs=ON_MONTH))
        expect(page.locator("legend", has_text="Авлигатай тэмцэх газарт")).to_be_visible()
        # The month's tables are fitted to a phone elsewhere (issue 17, point 10).
        _look(page, "report-letter", width, fits=False)
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_head_reads_since_when_a_case_is_on_hold(
    browser, transactional_db, live_server, units, personas, width
):
    with time_machine.travel(NOW, tick=True):
        complaint = make_case(units, personas, body="Мөнгө нэхсэн.")
        complaint_close(complaint=complaint, reason="Шийдвэрлэсэн.", by=personas["officer"])
        context, page = _signed_in_context(browser, live_server, personas["head"], width)
        page.goto(live_server.url + reverse("intake:case", kwargs=CASE))
        panel = page.locator("section[aria-labelledby='retention']")
        panel.get_by_role("button").first.click()
        expect(panel).to_contain_text("2026.03.20-ноос")
        # dl.facts (max-content labels) is fitted to a phone elsewhere (issue 17, point 10).
        _look(page, "case-hold", width, panel.locator("dl"), fits=False)
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_administrator_reads_the_ages_on_the_status_page(
    browser, transactional_db, live_server, units, personas, width
):
    Outbox.objects.create(
        agency=make_agency(), delivery=Agency.Delivery.API,
        data_key=DataKey.objects.create_fresh(), package_name="p", package_sha256="0" * 64,
        package_size=1, state=Outbox.State.PENDING, attempts=0,
        created_at=timezone.now() - timedelta(hours=3))
    context, page = _signed_in_context(browser, live_server, personas["admin"], width)
    page.goto(live_server.url + reverse("ops:status", kwargs={"unit_code": "DG"}))
    assert "3 цагийн" in " ".join(page.locator("#status-outbox").inner_text().split())
    # The status page's lists are fitted to a phone elsewhere (issue 17, point 10).
    _look(page, "status", width, fits=False)
    context.close()
