"""Django's debug page prints the local variables of every frame and the POST body. In
development a public page that fails must not show the receipt on it (nor what the reporter
wrote): the public views hide both, with DEBUG on as well as off."""

import pytest
from django.core.cache import cache
from django.test import Client

from intake import reading
from intake.models import Kind
from intake.public import views as views_public
from intake.receipts import format_code
from intake.services import Content, web_report_submit
from tests.intake.test_tamper import track
from tests.intake.test_web_submission import receipt_of, send_report

pytestmark = pytest.mark.django_db

WORDS = "canary-33af written by the reporter"


@pytest.fixture
def debug_client(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setattr(views_public, "LOOKUP_FLOOR_SECONDS", 0.0)
    cache.clear()
    yield Client(raise_request_exception=False)
    cache.clear()


def explode(*args, **kwargs):
    raise RuntimeError("something failed while the page was built")


def debug_page(response) -> str:
    page = response.content.decode()
    assert response.status_code == 500 and "RuntimeError" in page  # Django's debug page
    return page


def never_shows(page: str, receipt: str):
    for form in (receipt, format_code(receipt), "-".join(format_code(receipt).split())):
        assert form not in page


def test_a_failure_on_the_case_page_keeps_the_receipt_off_the_debug_page(
    debug_client, units, monkeypatch
):
    receipt = web_report_submit(unit=units["DG"], kind=Kind.COMPLAINT, language="mn",
                                submission_token="d" * 40,
                                content=Content(body=WORDS)).receipt
    monkeypatch.setattr(reading, "record_read", explode)
    page = debug_page(track(debug_client, format_code(receipt)))
    never_shows(page, receipt)
    assert "case_page" in page  # the frames are there, with their values starred


def test_a_failure_after_a_report_keeps_its_receipt_and_words_off_the_debug_page(
    debug_client, units, monkeypatch
):
    shown = []

    def format_then_explode(code):
        shown.append(code)
        raise RuntimeError("something failed while the page was built")

    monkeypatch.setattr(views_public, "format_code", format_then_explode)
    page = debug_page(send_report(debug_client, body=WORDS, unit=units["DG"].pk))
    (receipt,) = shown
    never_shows(page, receipt)
    assert WORDS not in page


def test_the_receipt_page_still_shows_the_receipt(client, units):
    cache.clear()
    assert receipt_of(send_report(client, unit=units["DG"].pk))
