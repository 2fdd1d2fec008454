"""The empty report form's page and the receipt page are rendered once and shared by
anonymous visitors (intake.public.kept_pages), each with values of their own; anyone else
gets theirs rendered."""

import html
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from intake import ratelimit
from intake.models import Complaint
from intake.ratelimit import Limit
from tests.intake.test_web_submission import receipt_of, send_report

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN = re.compile(r'name="token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def tokens(page: str) -> tuple[str, str]:
    return CSRF.search(page).group(1), html.unescape(TOKEN.search(page).group(1))


def without_tokens(page: str) -> str:
    return TOKEN.sub("", CSRF.sub("", page))


def test_two_visitors_get_the_same_page_with_tokens_of_their_own(client, units):
    first = client.get("/report/").content.decode()
    client.cookies.clear()
    second = client.get("/report/").content.decode()
    assert tokens(first)[0] != tokens(second)[0] and tokens(first)[1] != tokens(second)[1]
    assert without_tokens(first) == without_tokens(second)
    assert "csrf" not in TOKEN.search(first).group(1)[:4]


def test_a_report_sent_from_the_shared_page_is_received(client, units):
    response = send_report(client)
    assert response.status_code == 200 and receipt_of(response)
    client.cookies.clear()
    response = send_report(client)
    assert response.status_code == 200 and Complaint.objects.count() == 2


def test_each_language_and_chosen_unit_has_its_own_page(client, units):
    mongolian = client.get("/report/").content.decode()
    english = client.get("/en/report/").content.decode()
    assert 'lang="mn"' in mongolian and 'lang="en"' in english
    chosen = client.get("/report/?unit=DU").content.decode()
    assert f'<option value="{units["DU"].pk}" selected>' in chosen
    assert f'<option value="{units["DU"].pk}" selected>' not in mongolian


def test_a_signed_in_person_gets_a_page_of_their_own_and_it_is_not_shared(
        client, units, personas, signed_in):
    client.get("/report/")  # an anonymous page is kept
    signed_in(personas["officer"])
    sign_out = f'action="{reverse("org:logout")}"'
    assert sign_out in client.get("/report/").content.decode()
    client.logout()
    client.cookies.clear()
    assert sign_out not in client.get("/report/").content.decode()


def test_under_pressure_the_page_asks_for_the_proof_of_work(client, units, monkeypatch):
    assert 'name="pow"' not in client.get("/report/").content.decode()
    monkeypatch.setitem(ratelimit.LIMITS, "report",
                        (Limit(count=100, seconds=600), Limit(count=1, seconds=60)))
    send_report(client)  # the site-wide count reaches its figure
    assert 'name="pow"' in client.get("/report/").content.decode()


SHOWN = re.compile(r'name="shown" value="([^"]+)"')
REFERENCE = re.compile(r"<strong>([A-Z]+-\d{4}-\d{5})</strong>")


def test_receipt_pages_differ_only_in_the_code_the_reference_and_the_tokens(client, units):
    bare = []
    for _ in range(2):
        client.cookies.clear()
        response = send_report(client)
        page = response.content.decode()
        reference = REFERENCE.search(page).group(1)
        assert Complaint.objects.filter(reference=reference).exists()
        bare.append(SHOWN.sub("", without_tokens(page)).replace(receipt_of(response), "")
                    .replace(reference, ""))
    assert bare[0] == bare[1]


def test_the_kept_receipt_page_switches_language_with_its_own_code(client, units):
    response = send_report(client)
    shown = html.unescape(SHOWN.search(response.content.decode()).group(1))
    with translation.override("en"):
        english = client.post(reverse("intake:receipt"), {"shown": shown})
    assert english.status_code == 200 and 'lang="en"' in english.content.decode()
    assert receipt_of(english) == receipt_of(response)
