"""Following a case at /track/ with the receipt: status, deadlines, the thread and answers;
and that nothing about the answer tells a guesser whether a code exists."""

import re
import statistics
import time

import pytest
import time_machine
from django.core.cache import cache
from django.utils import formats, timezone, translation

from audit.models import AuditEvent
from intake import ratelimit
from intake.case.services import staff_reply_send
from intake.models import Attachment, Complaint, Kind, Message, Status
from intake.public import views as views_public
from intake.public.views import LOOKUP_FLOOR_SECONDS
from intake.ratelimit import Limit
from intake.receipts import format_code
from intake.services import Content, web_report_submit
from tests.intake.test_web_submission import (  # noqa: F401 (fixtures)
    _own_media_folder,
    jpeg,
    lookup_token,
    named,
    pdf,
    receipt_of,
    says,
    send_report,
    stored,
    text_of,
)

pytestmark = pytest.mark.django_db

_address = iter(f"198.18.{n // 250}.{n % 250 + 1}" for n in range(10**6))


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_time_floor(monkeypatch):
    """Only the timing test waits for the floor; the others would just be slow."""
    monkeypatch.setattr(views_public, "LOOKUP_FLOOR_SECONDS", 0.0)


def web_report(unit, body="Хахууль нэхсэн", token=None):
    token = token or f"test-token-{time.monotonic_ns()}"
    return web_report_submit(unit=unit, kind=Kind.COMPLAINT, content=Content(body=body),
                             submission_token=token, language="mn")


def officer_says(complaint, officer, text):
    return staff_reply_send(complaint=complaint, body=text, by=officer)


def track(client, code, prefix="", **extra):
    return client.post(f"{prefix}/track/", {"receipt": code, "token": lookup_token()},
                       REMOTE_ADDR=next(_address), **extra)


def answer(client, code, body="Нэмэлт мэдээлэл", files=(), prefix="", address=None):
    data = {"receipt": code, "body": body, "token": lookup_token()}
    if files:
        data["attachments"] = list(files)
    return client.post(f"{prefix}/track/message/", data, REMOTE_ADDR=address or next(_address))


def not_reading_events():
    return AuditEvent.objects.exclude(action="content.read").count()


# --- the case page ------------------------------------------------------------------------------

def test_the_tracking_page_asks_for_the_code_in_a_post_form(client, units):
    page = client.get("/track/").content.decode()
    assert re.search(r'<form method="post"', page) and 'name="receipt"' in page
    assert 'autocomplete="off"' in page and "<script" not in page


def test_a_reporter_sees_status_deadlines_and_the_officers_messages(client, units, personas):
    logged = web_report(units["DG"])
    complaint = logged.complaint
    officer_says(complaint, personas["officer"], "Хэзээ болсон бэ?\nЦагийг бичнэ үү.")
    response = track(client, format_code(logged.receipt))
    assert response.status_code == 200
    page = text_of(response)
    assert complaint.reference in page
    with translation.override("mn"):
        assert str(Status.NEW.label) in page
        for due in (complaint.acknowledge_due, complaint.resolve_due):
            assert formats.date_format(due, "SHORT_DATE_FORMAT") in page
    assert "Хэзээ болсон бэ?<br>Цагийг бичнэ үү." in page
    assert personas["officer"].get_full_name() not in page
    assert says(response, "To be resolved by")


def test_the_code_may_be_typed_with_spaces_or_dashes(client, units):
    code = web_report(units["DG"]).receipt
    for typed in (code, format_code(code), "-".join(format_code(code).split())):
        assert track(client, typed).status_code == 200


def test_the_language_switch_of_an_answered_page_leads_to_the_tracking_form(client, units):
    code = web_report(units["DG"]).receipt
    page = answer(client, code).content.decode()
    assert 'href="/en/track/message/"' in page
    assert client.get("/en/track/message/").url == "/en/track/"
    assert client.get("/track/message/").url == "/track/"


def test_the_case_page_is_english_under_en(client, units):
    logged = web_report(units["DG"])
    response = track(client, logged.receipt, "/en")
    assert response["Content-Language"] == "en"
    assert "To be acknowledged by" in response.content.decode()


def test_the_reporter_answers_with_a_message_and_files(client, units, personas):
    logged = web_report(units["DG"])
    officer_says(logged.complaint, personas["officer"], "Баримт байна уу?")
    response = answer(client, logged.receipt, body="Тийм, зургийг хавсаргав.", files=[
        named("зураг.jpg", jpeg(exif_artist="Батболд"), "image/jpeg"), named("акт.pdf", pdf()),
    ])
    assert response.status_code == 200
    assert says(response, "Your message was sent.")
    mine = Message.objects.get(author=Message.Author.REPORTER)
    assert mine.body.reveal() == "Тийм, зургийг хавсаргав." and mine.sent_by is None
    files = Attachment.objects.filter(message=mine)
    assert {a.filename.reveal() for a in files} == {"зураг.jpg", "акт.pdf"}
    assert all(a.uploaded_by_reporter and a.complaint == logged.complaint for a in files)
    page = text_of(response)
    assert page.index("Баримт байна уу?") < page.index("Тийм, зургийг хавсаргав.")
    assert AuditEvent.objects.filter(action="message.from_reporter").count() == 1


def test_the_reporter_sees_html_in_the_thread_as_text(client, units, personas):
    attack = '<script>alert("x")</script><b onmouseover=alert(1)>бат</b>'
    logged = web_report(units["DG"])
    officer_says(logged.complaint, personas["officer"], f"Хариу {attack}")
    response = answer(client, logged.receipt, body=f"Миний {attack}")
    page = response.content.decode()
    assert "<script" not in page and "<b onmouseover" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert page.count("&lt;b onmouseover=alert(1)&gt;") == 2


# --- the receipt never travels in a URL --------------------------------------------------------

def test_the_receipt_never_appears_in_a_location_or_a_link(client, units, personas):
    response = send_report(client, files=[named("зураг.jpg", jpeg(), "image/jpeg")])
    code = receipt_of(response)
    digits = code.replace(" ", "")
    forms = {code, digits, "-".join(code.split()), code.replace(" ", "%20"),
             code.replace(" ", "+")}
    responses = [response, client.get("/track/"), track(client, code)]
    complaint = Complaint.objects.get()
    officer_says(complaint, personas["officer"], "Асуулт")
    responses += [track(client, digits, "/en"), answer(client, digits),
                  answer(client, digits, body=""), client.get(f"/track/?receipt={digits}")]
    for sent in responses:
        assert not any(form in sent.get("Location", "") for form in forms)
        page = sent.content.decode()
        links = re.findall(r'(?:href|src|action|formaction)="([^"]*)"', page)
        assert not [link for link in links for form in forms if form in link]
        # The only place a code may sit is the hidden field of a POST form.
        for form in forms:
            for at in [m.start() for m in re.finditer(re.escape(form), page)]:
                before = page[max(0, at - 100):at]
                assert before.endswith(('<strong id="receipt">',
                                        '<input type="hidden" name="receipt" value="')), before
    # A code put in the address is not looked up, and the address is cleared.
    listed = client.get(f"/track/?receipt={digits}", follow=True)
    assert listed.redirect_chain == [("/track/", 302)]
    assert digits not in listed.content.decode() and "Асуулт" not in text_of(listed)


# --- guessing ---------------------------------------------------------------------------------

def headers(response) -> dict:
    # Expires is "now" on every page that must not be cached.
    return {name: value for name, value in response.items() if name not in {"Expires", "Date"}}


def identical(responses):
    first = responses[0]
    for other in responses[1:]:
        assert other.status_code == first.status_code
        assert headers(other) == headers(first)
        assert other.cookies.output() == first.cookies.output()
        assert other.content == first.content


def test_never_issued_shredded_and_mistyped_codes_get_byte_identical_answers(
    client_factory, units
):
    shredded = web_report(units["DG"])
    shredded.complaint.shred()
    live = web_report(units["DG"]).receipt
    never = "1" * 16 if live != "1" * 16 else "2" * 16
    typed = {
        "never issued": never,
        "shredded": shredded.receipt,
        "shredded, grouped": format_code(shredded.receipt),
        "too short": live[:15],
        "too long": live + "7",
        "letters": live[:12] + "abcd",
        "cyrillic": live[:12] + "абвг",
        "arabic digits": "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦",
        "empty": "",
        "control": live[:8] + "\x00" + live[9:],
    }
    before = stored()
    for prefix in ("", "/en"):
        looked_up, answered = [], []
        for code in typed.values():
            looked_up.append(track(client_factory(), code, prefix))
            answered.append(client_factory().post(
                f"{prefix}/track/message/", {"receipt": code, "body": "Сайн уу",
                                             "attachments": named("a.pdf", pdf()),
                                             "token": lookup_token()},
                REMOTE_ADDR=next(_address)))
        looked_up.append(client_factory().post(f"{prefix}/track/", {"token": lookup_token()},
                                                REMOTE_ADDR=next(_address)))
        for answers in (looked_up, answered):
            assert answers[0].status_code == 404
            identical(answers)
            assert says(answers[0], "No open case was found for this code. Check the 16 digits "
                                    "and try again. If your case was closed long ago, its "
                                    "record may have been deleted as the law requires.")
    assert stored() == before


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client


# Slow: a timing measurement, run alone so that other tests' load does not blur it.
@pytest.mark.slow
@pytest.mark.alone
def test_right_and_wrong_codes_take_the_same_time(client, units, monkeypatch):
    monkeypatch.setattr(views_public, "LOOKUP_FLOOR_SECONDS", LOOKUP_FLOOR_SECONDS)
    right = web_report(units["DG"]).receipt
    wrong = "0" * 16 if right != "0" * 16 else "9" * 16
    kinds = {"right": right, "wrong": wrong, "mistyped": "12ab"}
    timings = {name: [] for name in kinds}
    for _ in range(5):
        for name, code in kinds.items():
            started = time.perf_counter()
            response = track(client, code)
            timings[name].append(time.perf_counter() - started)
            assert response.status_code == (200 if name == "right" else 404)
    medians = {name: statistics.median(values) for name, values in timings.items()}
    assert all(value >= LOOKUP_FLOOR_SECONDS for value in medians.values()), medians
    assert abs(medians["right"] - medians["wrong"]) < 0.15, medians
    assert abs(medians["right"] - medians["mistyped"]) < 0.15, medians


# --- refusals -----------------------------------------------------------------------------------

def test_lookups_are_limited_per_client_with_a_translated_page_and_nothing_saved(
    client, units, monkeypatch
):
    monkeypatch.setitem(ratelimit.LIMITS, "track", (Limit(3, 600), Limit(100, 60)))
    code = web_report(units["DG"]).receipt
    for _ in range(3):
        assert client.post("/track/", {"receipt": code, "token": lookup_token()},
                           REMOTE_ADDR="203.0.113.5").status_code == 200
    for prefix in ("", "/en"):
        before = stored()
        refused = client.post(f"{prefix}/track/", {"receipt": code, "token": lookup_token()},
                              REMOTE_ADDR="203.0.113.5")
        assert refused.status_code == 429
        assert says(refused, "Too many attempts in a short time. Wait ten minutes and try "
                             "again. Nothing was saved.")
        assert stored() == before, "not even the reading of the thread"
        assert "Хахууль" not in text_of(refused)
    assert client.post("/track/", {"receipt": code, "token": lookup_token()},
                       REMOTE_ADDR="203.0.113.6").status_code == 200


def test_lookups_from_many_clients_past_the_site_wide_figure_are_slowed(client, units,
                                                                        monkeypatch):
    """Slowed, not refused: without the proof of work or the wait the form comes back."""
    monkeypatch.setitem(ratelimit.LIMITS, "track", (Limit(10, 600), Limit(4, 60)))
    code = web_report(units["DG"]).receipt
    # The clock stands still: six lookups on a busy machine could otherwise straddle the
    # edge of the minute's window and start a new count.
    with time_machine.travel(timezone.now(), tick=False):
        answers = [track(client, code) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 4 + [429] * 2
    assert 'name="pow"' in answers[-1].content.decode()


def test_sending_a_message_spends_a_lookup_too(client, units, monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "track", (Limit(2, 600), Limit(100, 60)))
    code = web_report(units["DG"]).receipt
    for _ in range(2):
        assert answer(client, code, address="203.0.113.8").status_code == 200
    before = stored()
    refused = answer(client, code, address="203.0.113.8")
    assert refused.status_code == 429 and stored() == before


def test_a_wrong_short_or_shredded_receipt_saves_no_message(client, units):
    gone = web_report(units["DG"])
    gone.complaint.shred()
    live = web_report(units["DG"]).receipt
    for code in ("9" * 16 if live != "9" * 16 else "8" * 16, live[:10], gone.receipt, ""):
        before = stored()
        response = answer(client, code, files=[named("зураг.jpg", jpeg())])
        assert response.status_code == 404
        assert stored() == before


def test_a_closed_case_shows_its_state_but_takes_no_more_messages(client, units):
    logged = web_report(units["DG"])
    logged.complaint.status = Status.CLOSED
    logged.complaint.closed_at = timezone.now()
    logged.complaint.save(update_fields=["status", "closed_at"])
    shown = track(client, logged.receipt)
    assert shown.status_code == 200
    assert says(shown, "This case is closed; it no longer takes messages.")
    assert 'name="body"' not in shown.content.decode()
    before = not_reading_events(), Message.objects.count()
    refused = answer(client, logged.receipt)
    assert refused.status_code == 400
    assert (not_reading_events(), Message.objects.count()) == before


def says_on_the_case_page(client, code, message, *, body="Нэмэлт", files=(), status=400,
                          **params):
    """A refused answer: the case page comes back with `message` in its language; nothing is
    saved but the record that the thread was shown again."""
    for prefix, language in (("", "mn"), ("/en", "en")):
        counts = stored()
        response = answer(client, code, body=body, files=[f() for f in files], prefix=prefix)
        assert response.status_code == status
        assert response["Content-Language"] == language
        assert says(response, message, **params), text_of(response)[-2500:]
        after = stored()
        assert after["audit events"] - counts["audit events"] == 1  # content.read
        assert AuditEvent.objects.order_by("-seq").first().action == "content.read"
        assert {**after, "audit events": 0} == {**counts, "audit events": 0}
    return response


def test_bad_answers_are_refused_with_a_reason_and_save_nothing(client, units):
    code = web_report(units["DG"]).receipt
    says_on_the_case_page(client, code, "Write a message.", body="   ")
    says_on_the_case_page(client, code, "Keep it under %(limit_value)d characters; attach a "
                                        "document for a longer account.",
                          body="ж" * 10_001, limit_value=10_000)
    says_on_the_case_page(client, code, "The text contains characters that cannot be read. "
                                        "Type it again or paste it as plain text.",
                          body="Сайн\x00уу")
    says_on_the_case_page(client, code, "Only photos (JPEG, PNG) and PDF documents can be "
                                        "attached.",
                          files=[lambda: named("run.sh", b"#!/bin/sh\nrm -rf /")])
    says_on_the_case_page(client, code, "A file's content does not match its name. Attach "
                                        "the original photo or PDF.",
                          files=[lambda: named("зураг.png", pdf())])
    says_on_the_case_page(client, code, "A file is empty.",
                          files=[lambda: named("хоосон.jpg", b"")])
    response = says_on_the_case_page(
        client, code, "A file is larger than %(limit)d MB.", body="Миний үг", status=413,
        files=[lambda: named("том.pdf", b"%PDF-" + b"0" * (10 * 2**20))], limit=10,
    )
    assert "Миний үг" in text_of(response)
