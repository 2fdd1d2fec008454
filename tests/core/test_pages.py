"""Public pages: Mongolian first, English second, private by default."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Heartbeat
from core.tasks import heartbeat

pytestmark = pytest.mark.django_db

# English words that would betray an untranslated string on a Mongolian page.
ENGLISH_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
ALLOWED_LATIN = {"Shugel", "English", "FreeOTP", "Aegis", "QR"}


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return html


def test_landing_page_is_mongolian_at_the_root(client, units):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Language"] == "mn"
    html = response.content.decode()
    assert '<html lang="mn">' in html
    assert "7052-2200" in html and "110" in html


def test_mongolian_pages_have_no_untranslated_english(client, personas, signed_in):
    pages = ["/", "/staff/login/"]
    for path in pages:
        words = set(ENGLISH_WORD.findall(visible_text(client.get(path).content.decode())))
        assert words <= ALLOWED_LATIN, (path, words - ALLOWED_LATIN)
    signed_in(personas["head"])
    for path in ["/staff/u/DG/", "/staff/u/DG/people/"]:
        text = visible_text(client.get(path).content.decode())
        # Usernames are data, not interface text.
        text = re.sub(r"\b(clerk|officer|head|auditor|admin)\b", " ", text, flags=re.I)
        words = set(ENGLISH_WORD.findall(text))
        assert words <= ALLOWED_LATIN, (path, words - ALLOWED_LATIN)


def test_landing_page_is_english_under_en(client, units):
    response = client.get("/en/")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert "Ways to complain" in response.content.decode()
    assert "Dornogovi Province State Registration Department" in response.content.decode()


def test_browser_language_does_not_override_mongolian_first(client, units):
    response = client.get("/", headers={"accept-language": "en-US,en;q=0.9"})
    assert response["Content-Language"] == "mn"


def test_the_language_switch_links_to_the_same_page_in_the_other_language(client, units):
    assert 'href="/en/staff/login/"' in client.get("/staff/login/").content.decode()
    assert 'href="/staff/login/"' in client.get("/en/staff/login/").content.decode()
    assert 'href="/en/"' in client.get("/no-such-page/").content.decode()


def test_public_pages_send_privacy_headers(client, units):
    response = client.get("/")
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_load_nothing_from_elsewhere(client, units):
    html = client.get("/").content.decode()
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
    assert "<script" not in html  # the public pages need no JavaScript at all


def test_not_found_page_is_translated(client, units):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Хуудас олдсонгүй" in response.content.decode()


def test_healthz_reports_database_and_worker(client):
    body = client.get("/healthz").json()
    assert body["database"] == "ok" and body["worker"]["status"] == "unknown"
    heartbeat()
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["worker"]["status"] == "ok"
    Heartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=10))
    assert client.get("/healthz").json()["worker"]["status"] == "stale"


def test_dates_follow_mongolian_conventions(settings):
    from django.utils import formats, translation

    moment = timezone.make_aware(timezone.datetime(2026, 2, 17, 9, 5))
    with translation.override("mn"):
        assert formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") == (
            "2026.02.17 09:05"
        )
    assert settings.TIME_ZONE == "Asia/Ulaanbaatar"
