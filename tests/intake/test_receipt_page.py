"""The page that shows a new receipt: it can be printed and the code copied (with plain hints
without JavaScript), and its language switch shows the same receipt in the other language,
carried in a signed POST body, never in an address."""

import html
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone, translation

from tests.intake.test_web_submission import receipt_of, send_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    cache.clear()
    translation.deactivate()


def switch_form(response) -> tuple[str, str]:
    """The action and the signed field of the page's language switch."""
    page = response.content.decode()
    action = re.search(r'<form method="post" action="([^"]+)" class="inline">', page)
    shown = re.search(r'name="shown" value="([^"]+)"', page)
    assert action and shown, page[:2000]
    return action.group(1), html.unescape(shown.group(1))


def test_the_receipt_page_offers_print_and_copy_and_says_how_without_javascript(client, units):
    response = send_report(client)
    page = response.content.decode()
    assert 'data-copy="receipt"' in page and "data-print" in page
    assert "data-no-script-hint" in page
    assert "js/paper.js" in page


def test_the_language_switch_shows_the_same_receipt_in_english(client, units):
    response = send_report(client)
    code = receipt_of(response)
    reference = re.search(r"DG-\d{4}-\d{5}", response.content.decode()).group(0)
    action, shown = switch_form(response)
    assert action == "/en/report/receipt/"
    # The header's plain links, which would lead to an empty form, are not offered.
    assert 'hreflang="en"' not in response.content.decode()

    english = client.post(action, {"shown": shown})
    assert english.status_code == 200
    assert english["Content-Language"] == "en"
    assert receipt_of(english) == code
    assert reference in english.content.decode()
    assert "Your report was received" in english.content.decode()
    # And back again to Mongolian, the same way.
    back_action, back_shown = switch_form(english)
    assert back_action == "/report/receipt/"
    assert receipt_of(client.post(back_action, {"shown": back_shown})) == code


def test_the_code_is_never_in_an_address(client, units):
    response = send_report(client)
    digits = receipt_of(response).replace(" ", "")
    action, shown = switch_form(response)
    for page in (response, client.post(action, {"shown": shown})):
        for address in re.findall(r'(?:href|action)="([^"]*)"', page.content.decode()):
            assert digits not in address.replace(" ", "").replace("%20", "")


def test_an_altered_or_old_switch_shows_no_receipt(client, units):
    response = send_report(client)
    code = receipt_of(response)
    action, shown = switch_form(response)
    altered = client.post(action, {"shown": shown[:-2] + "xx"})
    assert altered.status_code == 400
    assert code not in altered.content.decode()
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        old = client.post(action, {"shown": shown})
    assert old.status_code == 400
    assert code not in old.content.decode()


def test_opening_the_switch_address_sends_to_the_tracking_page(client, units):
    response = client.get("/en/report/receipt/")
    assert response.status_code == 302
    assert response["Location"] == "/en/track/"
