"""Every staff page on a 390 px phone, as the person who uses it, in Mongolian and in English:
none scrolls sideways (a wide table scrolls inside its own box, long codes wrap). And the case
page on a 1,280 px desk is laid out by task: the reading and the action the case's state calls
for come before anything folded away. Screenshots go to var/screenshots/ (not committed).

The data is the demo's (manage.py seed_demo), so the pages are full the way a clerk's are."""

from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.models import BoxOpening, Complaint, Status
from tests.conftest import sign_in

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
NOW = timezone.datetime(2026, 12, 6, 10, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))
PHONE, DESK = {"width": 390, "height": 844}, {"width": 1280, "height": 800}
SIDEWAYS = "document.documentElement.scrollWidth - window.innerWidth"


def staff_pages() -> dict[str, list[str]]:
    """Each demo login and the pages of its working day."""
    unit = {"unit_code": "DG"}
    new_case = Complaint.objects.filter(unit__code="DG", status=Status.NEW).earliest("pk")
    case = {**unit, "reference": new_case.reference}
    month, quarter = {**unit, "month": "2026-11"}, {**unit, "quarter": "2026-Q4"}
    opening = BoxOpening.objects.filter(unit__code="DG").latest("pk")
    return {
        "clerk": [reverse("org:unit_home", kwargs=unit),
                  reverse("intake:box_openings", kwargs=unit),
                  reverse("intake:box_opening", kwargs={**unit, "opening_id": opening.pk}),
                  reverse("intake:phone_call_new", kwargs=unit),
                  reverse("intake:channel_log", kwargs={**unit, "channel": "letter"}),
                  reverse("routing:letters", kwargs=unit),
                  reverse("notify:centre")],
        "officer": [reverse("intake:queue", kwargs=unit),
                    reverse("intake:case", kwargs=case),
                    reverse("routing:tracker", kwargs=unit)],
        "head": [reverse("reporting:index", kwargs=unit),
                 reverse("reporting:month", kwargs=month),
                 reverse("reporting:quarter", kwargs=quarter),
                 reverse("reporting:consolidated", kwargs=month),
                 reverse("notify:centre")],
        "auditor": [reverse("audit:events", kwargs=unit)],
        "admin": [reverse("ops:status", kwargs=unit)],
    }


def signed_in(browser, live_server, username):
    user = Complaint._meta.apps.get_model(settings.AUTH_USER_MODEL).objects.get(
        username=username)
    TOTPDevice.objects.get_or_create(user=user, name="phone", defaults={"confirmed": True})
    client = sign_in(Client(), user)
    context = browser.new_context(locale="en-GB", timezone_id="Asia/Ulaanbaatar")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    # The test server has no websocket, so static/js/live.js would fall back to fetching
    # the page again while the next one loads: two requests saving one session at once,
    # which the in-memory test database refuses (a 400) instead of queueing. Live updates
    # change no layout; the page behaves as in a browser without WebSocket.
    context.add_init_script("delete window.WebSocket;")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"layout-{name}.png"), full_page=True)


def test_no_staff_page_scrolls_sideways_on_a_phone_in_either_language(
    browser, transactional_db, live_server
):
    with time_machine.travel(NOW, tick=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))
        wide = []
        for username, paths in staff_pages().items():
            context, page = signed_in(browser, live_server, username)
            page.set_viewport_size(PHONE)
            for path in paths:
                for prefix in ("", "/en"):
                    response = page.goto(live_server.url + prefix + path)
                    assert response.status == 200, (username, prefix + path, response.status)
                    overflow = page.evaluate(SIDEWAYS)
                    if overflow > 0:
                        wide.append(f"{prefix}{path} as {username}: {overflow} px too wide")
                        shot(page, f"wide-{username}-{len(wide)}")
            context.close()
        assert wide == []


def test_the_case_page_puts_the_reading_and_the_next_action_before_anything_folded(
    browser, transactional_db, live_server
):
    with time_machine.travel(NOW, tick=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))
        case = Complaint.objects.filter(unit__code="DG", status=Status.NEW).earliest("pk")
        context, page = signed_in(browser, live_server, "officer")
        page.set_viewport_size(DESK)
        page.goto(live_server.url + reverse(
            "intake:case", kwargs={"unit_code": "DG", "reference": case.reference}))
        shot(page, "case-mn-1280")

        def top(selector: str) -> float:
            return page.locator(selector).first.bounding_box()["y"]

        folds = page.locator("details.fold")
        assert folds.count() >= 4  # note, amendment, extension, closure, retention…
        assert all(not folds.nth(i).evaluate("d => d.open") for i in range(folds.count()))
        first_fold = top("details.fold")
        read = page.get_by_role("button", name="Хэргийг унших")
        acknowledge = page.locator("#next").get_by_role("button", name="мэдэгдэх")
        # A new case is acknowledged first; both buttons are on the first screen.
        for button in (read, acknowledge):
            box = button.bounding_box()
            assert box["y"] + box["height"] <= min(first_fold, DESK["height"]), box
        assert page.locator("#next #triage").is_visible()

        read.click()
        page.wait_for_url("**/read/")
        shot(page, "case-read-mn-1280")
        # The complaint as written, then the triage it calls for, then the folded rest.
        assert top("#part-body") < top("#next") < top("details.fold")
        assert page.locator("#next textarea, #next input[type=checkbox]").first.is_visible()
        page.set_viewport_size(PHONE)
        assert page.evaluate(SIDEWAYS) <= 0
        shot(page, "case-read-mn-390")
        context.close()


def test_a_refused_action_opens_its_fold_so_the_error_is_seen(
    browser, transactional_db, live_server
):
    with time_machine.travel(NOW, tick=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))
        case = Complaint.objects.filter(unit__code="DG", status=Status.NEW).earliest("pk")
        context, page = signed_in(browser, live_server, "officer")
        page.set_viewport_size(DESK)
        page.goto(live_server.url + "/en" + reverse(
            "intake:case", kwargs={"unit_code": "DG", "reference": case.reference}))
        page.locator("summary", has_text="Internal note").click()
        page.get_by_role("button", name="Add the note").click()  # empty: refused
        fold = page.locator("details.fold", has_text="Internal note")
        assert fold.evaluate("d => d.open")
        assert fold.locator(".error").first.is_visible()
        assert not page.locator("details.fold", has_text="Close the case").evaluate(
            "d => d.open")
        context.close()


pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
