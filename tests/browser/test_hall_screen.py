"""The hall screen in a real browser: its slides turn by themselves, and when the server
goes away for 30 s the screen keeps turning with what it last read, says so, and picks up
the head's change once the server is back, without a reload."""

import time

import pytest
from django.core.cache import cache

from outreach.models import ScreenSettings

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_screen_turns_and_survives_the_server_going_away(browser, live_server, units,
                                                              settings):
    settings.PUBLIC_URL = live_server.url
    settings.SCREEN_REFRESH_SECONDS = 2
    cache.clear()
    ScreenSettings.objects.create(unit=units["DG"], slides=["lines", "figures"], seconds=1)
    context = browser.new_context(locale="mn-MN", timezone_id="Asia/Ulaanbaatar",
                                  viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(f"{live_server.url}/screen/DG/")

    def showing() -> str:
        return page.locator("[data-slide]:not([hidden])").get_attribute("data-slide")

    seen = set()
    for _ in range(30):
        seen.add(showing())
        if len(seen) == 2:
            break
        page.wait_for_timeout(200)
    assert seen == {"lines", "figures"}, "the slides do not turn"
    page.wait_for_selector("body[data-read]", state="attached")

    # The server goes away: every read fails as a refused connection would.
    page.route("**/data.json", lambda route: route.abort("connectionrefused"))
    away = time.monotonic()
    page.wait_for_selector(".offline-note:not([hidden])", timeout=10_000)
    turned = set()
    while time.monotonic() - away < 30:
        turned.add(showing())
        page.wait_for_timeout(500)
    assert turned == {"lines", "figures"}, "the slides stopped while the server was away"
    # What it last read, on its slide (whichever slide is showing at this moment).
    page.wait_for_selector("[data-slide=lines]:not([hidden])", timeout=5_000)
    assert "7052-2200" in page.locator("[data-slide=lines]").inner_text()

    # Back, with a campaign the head added meanwhile: shown without a reload.
    ScreenSettings.objects.filter(unit=units["DG"]).update(
        slides=["campaign"], campaign_text="Авлигын эсрэг нэгдье")
    cache.clear()
    page.unroute("**/data.json")
    page.wait_for_selector("[data-slide=campaign]:not([hidden])", timeout=10_000)
    assert "Авлигын эсрэг нэгдье" in page.locator("[data-slide=campaign]").inner_text()
    assert page.locator(".offline-note").is_hidden()
    context.close()
