"""Rate limits that see each client without keeping its address (intake/ratelimit.py,
vault/clients.py): what is counted, what a client over its limit is told, and how the site
slows everybody down, without refusing, while it is under pressure."""

import hashlib
import html
import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone

from intake import ratelimit
from intake.models import Complaint, Message
from intake.public import views as views_public
from intake.public.forms import LOOKUP_TOKEN_SALT, new_form_token
from intake.ratelimit import POW_BITS, POW_WAIT_SECONDS, Limit, allow, paced, solved
from intake.receipts import format_code
from intake.services import Content, web_report_submit
from tests.intake.test_web_submission import (  # noqa: F401 (fixtures)
    _own_media_folder,
    lookup_token,
    receipt_of,
    report_form,
    says,
    send_report,
    stored,
    text_of,
)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def request_from(address):
    return RequestFactory().post("/", REMOTE_ADDR=address)


def solution_for(token: str, bits: int = POW_BITS) -> str:
    """What static/js/pow.js finds (it counts in base 36; any nonce of up to 32 characters
    will do): the first that gives `bits` zero bits."""
    nonce = 0
    while not solved(token, format(nonce, "x")):
        nonce += 1
    return format(nonce, "x")


def cache_keys() -> list[str]:
    if hasattr(cache, "_cache") and isinstance(cache._cache, dict):  # local memory
        return [str(key) for key in cache._cache]
    return [key.decode() for key in cache._cache.get_client().keys("*")]  # Redis


def seconds_left(key: str) -> float:
    if hasattr(cache, "_expire_info"):  # local memory
        return cache._expire_info[key] - time.time()
    return cache._cache.get_client().ttl(key)  # Redis


# --- the counters ---------------------------------------------------------------------------

def test_a_client_over_its_limit_is_refused_and_another_is_not(monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "report", (Limit(3, 600), Limit(100, 60)))
    assert all(allow(request_from("10.0.0.1"), "report") for _ in range(3))
    assert not allow(request_from("10.0.0.1"), "report")
    assert allow(request_from("10.0.0.2"), "report")


def test_a_client_over_its_limit_spends_nothing_of_the_sites_budget(monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "track", (Limit(2, 600), Limit(5, 60)))
    for _ in range(50):
        allow(request_from("10.0.0.3"), "track")
    assert not ratelimit.under_pressure("track")
    assert [allow(request_from(f"10.0.2.{i}"), "track") for i in range(3)] == [True] * 3


def test_the_site_wide_figure_puts_the_site_under_pressure_and_refuses_nobody(monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "report", (Limit(100, 600), Limit(5, 60)))
    results = [allow(request_from(f"10.0.1.{i}"), "report") for i in range(8)]
    assert results == [True] * 8
    assert ratelimit.under_pressure("report") and not ratelimit.under_pressure("track")


def test_the_cache_holds_only_keyed_hashes_that_last_one_window(monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "track", (Limit(3, 600), Limit(100, 60)))
    allow(request_from("203.0.113.77"), "track")
    keys = [key for key in cache_keys() if ":rl:" in key]
    assert len(keys) == 2 and not any("203.0.113.77" in key for key in keys)
    [client] = [key for key in keys if ":c:" in key]
    assert re.fullmatch(r".*:rl:track:c:[0-9a-f]{32}:\d+", client)
    assert 0 < seconds_left(client) <= 600 + 1
    [site] = [key for key in keys if ":all:" in key]
    assert 0 < seconds_left(site) <= 60 + 1


def test_the_same_address_is_another_client_tomorrow():
    with time_machine.travel(timezone.now(), tick=False) as clock:
        allow(request_from("203.0.113.78"), "report")
        clock.shift(timedelta(days=1))
        allow(request_from("203.0.113.78"), "report")
    clients = {key.split(":c:")[1].split(":")[0] for key in cache_keys() if ":c:" in key}
    assert len(clients) == 2


# --- the proof of work ----------------------------------------------------------------------

def test_a_found_nonce_is_a_solution_and_anything_else_is_not():
    token = new_form_token(LOOKUP_TOKEN_SALT)
    nonce = solution_for(token)
    digest = hashlib.sha256(f"{token}|{nonce}".encode()).digest()
    assert digest[:POW_BITS // 8] == bytes(POW_BITS // 8)
    assert solved(token, nonce)
    assert not solved(new_form_token(LOOKUP_TOKEN_SALT), nonce), "bound to its token"
    assert not solved(token, "") and not solved(token, "0" * 33)


def test_without_a_solution_only_an_old_enough_form_is_let_through():
    token = new_form_token(LOOKUP_TOKEN_SALT)
    assert not paced(token, "nonsense", age=POW_WAIT_SECONDS - 1)
    assert paced(token, "nonsense", age=POW_WAIT_SECONDS)
    assert paced(token, solution_for(token), age=0)


def test_a_spent_token_is_remembered_only_for_what_is_left_of_its_life():
    assert ratelimit.first_use("a-token", age=ratelimit.SPENT_TOKEN_SECONDS - 100)
    assert not ratelimit.first_use("a-token", age=ratelimit.SPENT_TOKEN_SECONDS - 100)
    [key] = [key for key in cache_keys() if "pow-spent:" in key]
    assert "a-token" not in key
    assert 0 < seconds_left(key) <= 101


# --- the pages: only a real form is counted ----------------------------------------------

@pytest.fixture
def no_time_floor(monkeypatch):
    monkeypatch.setattr(views_public, "LOOKUP_FLOOR_SECONDS", 0.0)


def live_receipt(units) -> str:
    return format_code(web_report_submit(
        unit=units["DG"], kind="complaint", content=Content(body="Хахууль нэхсэн"),
        submission_token=f"t-{time.monotonic_ns()}", language="mn").receipt)


@pytest.mark.django_db
def test_garbage_posts_spend_nobodys_budget(client, units, no_time_floor):
    code = live_receipt(units)
    address = "192.0.2.50"
    for _ in range(30):
        client.post("/report/", {"body": "spam"}, REMOTE_ADDR=address)
        client.post("/track/", {"receipt": "1" * 16}, REMOTE_ADDR=address)
        client.post("/track/", {"receipt": "1" * 16, "token": "made:up:token"},
                    REMOTE_ADDR=address)
        client.post("/track/message/", {"receipt": code, "body": "x"}, REMOTE_ADDR=address)
    assert send_report(client, address=address).status_code == 200
    found = client.post("/track/", {"receipt": code, "token": lookup_token()},
                        REMOTE_ADDR=address)
    assert found.status_code == 200


@pytest.mark.django_db
def test_a_lookup_without_a_valid_token_is_refused_with_a_fresh_form(client, units,
                                                                     no_time_floor):
    code = live_receipt(units)
    for prefix in ("", "/en"):
        before = stored()
        refused = client.post(f"{prefix}/track/", {"receipt": code, "token": "x:y:z"})
        assert refused.status_code == 400
        assert says(refused, "This form has expired or is incomplete. Check what you wrote "
                             "and send it again.")
        fresh = html.unescape(re.search(r'name="token" value="([^"]+)"',
                                        refused.content.decode()).group(1))
        assert fresh != "x:y:z" and stored() == before
        again = client.post(f"{prefix}/track/", {"receipt": code, "token": fresh})
        assert again.status_code == 200


@pytest.mark.django_db
def test_a_message_without_a_valid_token_comes_back_with_its_text_and_no_case(
    client, units, no_time_floor
):
    code = live_receipt(units)
    before = stored()
    refused = client.post("/en/track/message/", {"receipt": code, "body": "Миний нэмэлт"})
    assert refused.status_code == 400
    assert "Миний нэмэлт" in text_of(refused) and "Хахууль" not in text_of(refused)
    assert stored() == before
    fresh = html.unescape(re.search(r'name="token" value="([^"]+)"',
                                    refused.content.decode()).group(1))
    sent = client.post("/en/track/message/", {"receipt": code, "body": "Миний нэмэлт",
                                              "token": fresh})
    assert sent.status_code == 200 and Message.objects.count() == 1


# --- under pressure -----------------------------------------------------------------------------

@pytest.fixture
def under_pressure(monkeypatch):
    """Every scope's site-wide figure already reached."""
    for scope, (per_client, _site) in list(ratelimit.LIMITS.items()):
        monkeypatch.setitem(ratelimit.LIMITS, scope, (per_client, Limit(0, 60)))


def public_forms(client, code) -> list:
    token = lookup_token()
    return [client.get("/report/"), client.get("/track/"),
            client.post("/track/", {"receipt": code, "token": token,
                                    "pow": solution_for(token)})]


@pytest.mark.django_db
def test_a_calm_site_asks_for_no_work(client, units, no_time_floor):
    for page in public_forms(client, live_receipt(units)):
        assert page.status_code == 200
        assert 'name="pow"' not in page.content.decode()
        assert "pow.js" not in page.content.decode()


@pytest.mark.django_db
def test_under_pressure_every_public_form_asks_for_the_work(client, units, no_time_floor,
                                                            under_pressure):
    for page in public_forms(client, live_receipt(units)):
        assert page.status_code == 200
        text = page.content.decode()
        assert f'name="pow" value="" data-bits="{POW_BITS}"' in text
        assert '<script src="/static/js/pow.js" defer></script>' in text


@pytest.mark.django_db
def test_under_pressure_a_report_without_the_work_is_slowed_and_keeps_its_text(
    client, units, under_pressure
):
    for prefix in ("", "/en"):
        before = stored()
        slowed = send_report(client, prefix, body="Миний бичсэн үг")
        assert slowed.status_code == 429
        assert says(slowed, "Many people are sending at this moment, so the site asks "
                            "everyone for a short wait. Wait half a minute, then send again; "
                            "with JavaScript on, your browser needs only a few seconds. What "
                            "you wrote is kept below. Nothing was saved yet.")
        assert "Миний бичсэн үг" in text_of(slowed) and stored() == before


@pytest.mark.django_db
def test_under_pressure_a_report_with_the_work_is_received(client, units, under_pressure):
    fields = report_form(client)
    sent = client.post("/report/", {**fields, "body": "Гомдол",
                                    "pow": solution_for(fields["token"])})
    assert sent.status_code == 200 and Complaint.objects.count() == 1


@pytest.mark.django_db
def test_under_pressure_a_page_without_javascript_is_received_after_the_wait(
    client, units, under_pressure
):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        fields = report_form(client)
        clock.shift(timedelta(seconds=POW_WAIT_SECONDS - 2))
        assert client.post("/report/", {**fields, "body": "Гомдол"}).status_code == 429
        clock.shift(timedelta(seconds=2))
        assert client.post("/report/", {**fields, "body": "Гомдол"}).status_code == 200


@pytest.mark.django_db
def test_under_pressure_lookups_and_messages_need_the_work_too(
    client, units, no_time_floor, under_pressure
):
    code = live_receipt(units)
    token = lookup_token()
    assert client.post("/track/", {"receipt": code, "token": token}).status_code == 429
    found = client.post("/track/", {"receipt": code, "token": token,
                                    "pow": solution_for(token)})
    assert found.status_code == 200
    token = lookup_token()  # the case page gives its message form a token of its own
    slowed = client.post("/track/message/", {"receipt": code, "token": token, "body": "Асуулт"})
    assert slowed.status_code == 429 and "Асуулт" in text_of(slowed)
    sent = client.post("/track/message/", {"receipt": code, "token": token, "body": "Асуулт",
                                           "pow": solution_for(token)})
    assert sent.status_code == 200 and Message.objects.count() == 1


@pytest.mark.django_db
def test_under_pressure_a_lookup_token_and_its_work_serve_once(
    client, units, no_time_floor, under_pressure
):
    code = live_receipt(units)
    token = lookup_token()
    work = {"receipt": code, "token": token, "pow": solution_for(token)}
    assert client.post("/track/", work).status_code == 200
    again = client.post("/track/", work)
    assert again.status_code == 429
    assert says(again, "Many people are sending at this moment, so the site asks everyone for "
                       "a short wait. Wait half a minute, then send again; with JavaScript on, "
                       "your browser needs only a few seconds. What you wrote is kept below. "
                       "Nothing was saved yet.")
    fresh = again.context["form"]["token"].value()
    assert fresh != token
    assert client.post("/track/", {"receipt": code, "token": fresh,
                                   "pow": solution_for(fresh)}).status_code == 200


@pytest.mark.django_db
def test_under_pressure_a_client_over_its_own_limit_is_still_refused(
    client, units, under_pressure, monkeypatch
):
    monkeypatch.setitem(ratelimit.LIMITS, "report", (Limit(1, 600), Limit(0, 60)))
    first = report_form(client)
    client.post("/report/", {**first, "body": "Гомдол", "pow": solution_for(first["token"])},
                REMOTE_ADDR="192.0.2.60")
    second = report_form(client)
    refused = client.post("/report/", {**second, "body": "Дахиад",
                                       "pow": solution_for(second["token"])},
                          REMOTE_ADDR="192.0.2.60")
    assert refused.status_code == 429
    assert says(refused, "Too many attempts in a short time. Wait ten minutes and try again. "
                         "Nothing was saved.")
    assert "Дахиад" in text_of(refused) and Complaint.objects.count() == 1
