"""While the site is under pressure (intake/ratelimit.py) a citizen's report still goes
through: the page's own script does the proof of work; without JavaScript the page asks for
a short wait, keeps what was typed, and takes the report when it is sent again."""

import time

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from intake import ratelimit
from intake.models import Complaint
from tests.browser.test_anonymous_report import mn


@pytest.fixture
def under_pressure(monkeypatch):
    cache.clear()
    for scope, (per_client, _site) in list(ratelimit.LIMITS.items()):
        monkeypatch.setitem(ratelimit.LIMITS, scope, (per_client, ratelimit.Limit(0, 60)))


def fill_in_a_report(page, url, units):
    page.goto(url + "/report/")
    page.get_by_label(mn("Which office is it about?")).select_option(str(units["DG"].pk))
    page.get_by_label(mn("What happened?")).fill("Бичиг хэргийн ажилтан мөнгө нэхсэн.")


def test_under_pressure_the_page_solves_the_puzzle_and_the_report_is_received(
    browser, transactional_db, live_server, units, under_pressure
):
    context = browser.new_context(locale="mn-MN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        fill_in_a_report(page, live_server.url, units)
        started = time.monotonic()
        page.get_by_role("button", name=mn("Send the report")).click()
        expect(page.locator("#receipt")).to_be_visible()
        print(f"\nproof of work of {ratelimit.POW_BITS} bits and sending: "
              f"{time.monotonic() - started:.1f} s")
    finally:
        context.close()
    assert errors == []
    assert Complaint.objects.count() == 1


def test_under_pressure_a_page_without_javascript_is_asked_to_wait_and_keeps_the_text(
    browser, transactional_db, live_server, units, under_pressure, monkeypatch
):
    # Long enough that the first send comes too soon however slowly a busy machine fills in
    # the form; shortened once the page has asked to wait.
    monkeypatch.setattr(ratelimit, "POW_WAIT_SECONDS", 600)
    context = browser.new_context(locale="mn-MN", java_script_enabled=False)
    page = context.new_page()
    try:
        fill_in_a_report(page, live_server.url, units)
        page.get_by_role("button", name=mn("Send the report")).click()
        expect(page.locator("#form-errors")).to_contain_text(mn(
            "Many people are sending at this moment, so the site asks everyone for a short "
            "wait. Wait half a minute, then send again; with JavaScript on, your browser needs "
            "only a few seconds. What you wrote is kept below. Nothing was saved yet."))
        expect(page.get_by_label(mn("What happened?"))).to_have_value(
            "Бичиг хэргийн ажилтан мөнгө нэхсэн.")
        assert Complaint.objects.count() == 0
        monkeypatch.setattr(ratelimit, "POW_WAIT_SECONDS", 1)
        page.wait_for_timeout(1_100)  # the (shortened) wait, counted from the first page
        page.get_by_role("button", name=mn("Send the report")).click()
        expect(page.locator("#receipt")).to_be_visible()
    finally:
        context.close()
    assert Complaint.objects.count() == 1
