"""The anonymous web form at /report/: what a citizen can send, what is refused, and that a
refusal always says why, in the page's language, and saves nothing."""

import html
import io
import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext
from PIL import Image

from audit.models import AuditEvent
from intake import ratelimit, uploads
from intake.models import Attachment, Channel, Complaint, Message
from intake.public.forms import LOOKUP_TOKEN_SALT, new_form_token
from intake.ratelimit import Limit
from intake.receipts import clean_code, receipt_candidates
from tests.intake.pdf_samples import small_pdf

pytestmark = pytest.mark.django_db

# Each report comes from a different pretend address unless a test says otherwise, so that
# the per-client limit never decides a test that is not about it.
_address = iter(f"192.0.2.{n % 250 + 1}" for n in range(10**6))


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _own_media_folder(settings, tmp_path):
    """Each test counts and scans the encrypted files of its own requests only; and the
    language the last request switched to is not left behind for the next test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    translation.deactivate()


# --- helpers the other public-side tests share ----------------------------------------------

def jpeg(colour=(200, 30, 30), size=(64, 48), exif_artist=None) -> bytes:
    image = Image.new("RGB", size, colour)
    out = io.BytesIO()
    if exif_artist:
        exif = Image.Exif()
        exif[0x013B] = exif_artist
        image.save(out, format="JPEG", exif=exif.tobytes())
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def pdf(text="Баримт") -> bytes:
    return small_pdf(text)


def named(name: str, data: bytes, content_type="application/octet-stream"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def report_form(client, prefix="") -> dict:
    """The hidden fields of a fresh report form, as a browser would send them back."""
    page = client.get(f"{prefix}/report/").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    fields = {"token": html.unescape(token), "kind": "complaint"}
    unit = re.search(r'<option value="(\d+)"', page) or re.search(
        r'name="unit" value="(\d+)"', page
    )
    fields["unit"] = unit.group(1)
    return fields


def lookup_token() -> str:
    """The token of a receipt-lookup or message form, as the /track/ pages give it out."""
    return new_form_token(LOOKUP_TOKEN_SALT)


def send_report(client, prefix="", *, files=(), address=None, **fields):
    data = {**report_form(client, prefix), "body": "Бичиг хэргийн ажилтан 50 000 төгрөг нэхсэн.",
            **fields}
    if files:
        data["attachments"] = list(files)
    return client.post(f"{prefix}/report/", data, REMOTE_ADDR=address or next(_address))


def receipt_of(response) -> str:
    found = re.search(r'id="receipt">([\d ]+)<', response.content.decode())
    assert found, response.content.decode()[:3000]
    return found.group(1)


def stored() -> dict:
    """Everything a refused request must leave untouched."""
    files = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    return {
        "complaints": Complaint.objects.count(),
        "attachments": Attachment.objects.count(),
        "messages": Message.objects.count(),
        "audit events": AuditEvent.objects.count(),
        "files": len(files),
    }


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def says(response, message, **params) -> bool:
    """Whether the page shows `message` (an English msgid) as its language's catalogue has
    it: the Mongolian translation at /…, the English text at /en/…."""
    language = response["Content-Language"]
    with translation.override(language):
        expected = gettext(message)
        if params:
            expected = expected % params
    return expected in text_of(response)


def says_in_both_languages(send, message, **params):
    """Sends the same bad request to the Mongolian and the English page; both refuse it with
    `message` in their own language and nothing is saved."""
    with translation.override("mn"):
        assert gettext(message) != message, f"not translated into Mongolian: {message!r}"
    for prefix, language in (("", "mn"), ("/en", "en")):
        before = stored()
        response = send(prefix)
        assert 400 <= response.status_code < 500, response.status_code
        assert response["Content-Language"] == language
        assert says(response, message, **params), (language, text_of(response)[-3000:])
        assert stored() == before, language
    return response


# --- the form and a good report --------------------------------------------------------------

def test_the_form_is_short_plain_and_needs_no_account_or_javascript(client, units):
    response = client.get("/report/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script" not in page
    assert 'method="post"' in page and 'enctype="multipart/form-data"' in page
    assert 'name="token"' in page and 'type="hidden"' in page
    for name in ("body", "where", "when", "who", "name", "phone", "email", "attachments"):
        assert f'name="{name}"' in page
    assert "password" not in page.lower()
    assert says(response, "You do not need an account and you do not have to say who you are. "
                          "This site does not record your IP address or your browser. After "
                          "you send the report you receive a receipt code: keep it to follow "
                          "your case and to answer the officer's questions.")


def test_the_mongolian_public_pages_have_no_untranslated_english(client, units, monkeypatch):
    from intake.public import views as views_public
    from tests.core.test_pages import ALLOWED_LATIN, ENGLISH_WORD, visible_text

    monkeypatch.setattr(views_public, "LOOKUP_FLOOR_SECONDS", 0.0)
    monkeypatch.setitem(ratelimit.LIMITS, "track", (Limit(3, 600), Limit(100, 60)))
    fields = {**report_form(client), "body": "Гомдол"}
    sent = client.post("/report/", fields)
    code = receipt_of(sent)
    pages = {
        "form": client.get("/report/"),
        "refused": send_report(client, body="", phone="x", email="y", token="z",
                               files=[named("a.exe", b"MZ")]),
        "receipt": sent,
        "already received": client.post("/report/", fields),
        "track": client.get("/track/"),
        "case": client.post("/track/", {"receipt": code, "token": lookup_token()}),
        "answer refused": client.post("/track/message/", {"receipt": code, "body": "",
                                                          "token": lookup_token()}),
        "not found": client.post("/track/", {"receipt": "1" * 16, "token": lookup_token()}),
        "slow down": client.post("/track/", {"receipt": code, "token": lookup_token()}),
        "token refused": client.post("/track/", {"receipt": code}),
    }
    allowed = ALLOWED_LATIN | {"JPEG", "PNG", "PDF", "Ctrl"}  # Ctrl+C, Ctrl+P: key names
    for name, response in pages.items():
        assert response["Content-Language"] == "mn", name
        words = set(ENGLISH_WORD.findall(visible_text(response.content.decode())))
        assert words <= allowed, (name, words - allowed)


def test_each_form_carries_its_own_token(client, units):
    assert report_form(client)["token"] != report_form(client)["token"]


def test_a_report_is_received_and_the_receipt_shown_once_with_advice(client, units):
    response = send_report(
        client, body="Паспорт авахад хахууль нэхсэн.", where="Үйлчилгээний танхим",
        when="Өчигдөр", who="2-р цонхны ажилтан", name="Бат", phone="9911 2233",
        email="bat@example.mn",
    )
    assert response.status_code == 200
    code = receipt_of(response)
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", code)
    assert says(response, "Write this code down now. It is shown only this once and cannot be "
                          "recovered.")
    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.WEB and complaint.unit == units["DG"]
    assert complaint.logged_by is None and complaint.language == "mn"
    assert complaint.body.reveal() == "Паспорт авахад хахууль нэхсэн."
    assert complaint.subject.reveal() == "2-р цонхны ажилтан"
    assert complaint.particulars.reveal() == {"where": "Үйлчилгээний танхим", "when": "Өчигдөр"}
    assert complaint.reporter.reveal() == {"name": "Бат", "phone": "+97699112233",
                                           "email": "bat@example.mn"}
    assert complaint.reference in text_of(response)


def test_the_receipt_is_stored_only_as_an_argon2id_hash(client, units):
    code = clean_code(receipt_of(send_report(client)))
    complaint = Complaint.objects.get()
    assert complaint.receipt_hash in receipt_candidates(code)
    assert re.fullmatch(r"v\d+:[0-9a-f]{64}", complaint.receipt_hash)
    row = Complaint.objects.filter(pk=complaint.pk).values().get()
    assert not any(code in str(value) for value in row.values())
    assert not any(code in event.details for event in AuditEvent.objects.all())


def test_the_receipt_code_is_never_logged(client, units, caplog):
    caplog.set_level("DEBUG")
    code = clean_code(receipt_of(send_report(client)))
    client.post("/track/", {"receipt": code, "token": lookup_token()})
    client.post("/track/message/", {"receipt": code, "body": "Нэмэлт", "token": lookup_token()})
    logged = caplog.text + "".join(repr(vars(record)) for record in caplog.records)
    for form in (code, " ".join(code[i:i + 4] for i in range(0, 16, 4))):
        assert form not in logged


def test_the_receipt_page_is_the_same_in_english(client, units):
    response = send_report(client, "/en")
    assert response["Content-Language"] == "en"
    assert "Write this code down now" in response.content.decode()
    assert Complaint.objects.get().language == "en"


def test_a_report_with_photos_and_a_document_keeps_them_sealed_and_stripped(client, units):
    response = send_report(client, files=[
        named("зураг.jpg", jpeg(exif_artist="Батболд Доржийн"), "image/jpeg"),
        named("баримт.pdf", pdf()),
    ])
    assert response.status_code == 200
    kept = {a.filename.reveal(): a for a in Attachment.objects.all()}
    assert set(kept) == {"зураг.jpg", "баримт.pdf"}
    assert all(a.uploaded_by_reporter and a.message is None for a in kept.values())
    on_disk = b"".join(p.read_bytes() for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())
    assert "Батболд".encode() not in on_disk and b"%PDF" not in on_disk


def test_what_is_stripped_from_a_photo_never_reaches_a_log(client, units, caplog):
    caplog.set_level("DEBUG")
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level("DEBUG", logger=name)
    response = send_report(client, files=[named("зураг.jpg", jpeg(exif_artist="Батболд Д."))])
    assert response.status_code == 200
    assert "Батболд" not in caplog.text + "".join(repr(vars(r)) for r in caplog.records)


# --- refused, with a reason, saving nothing ----------------------------------------------------

def test_an_empty_or_blank_report_is_refused(client, units):
    for body in ("", "   \n\t  "):
        says_in_both_languages(lambda p, b=body: send_report(client, p, body=b),
                               "Write what happened.")


def test_a_report_over_the_length_limit_is_refused(client, units):
    says_in_both_languages(
        lambda p: send_report(client, p, body="ж" * 10_001),
        "Keep it under %(limit_value)d characters; attach a document for a longer account.",
        limit_value=10_000,
    )


@pytest.mark.parametrize("field", ["where", "when", "who", "name"])
def test_a_short_field_over_its_limit_is_refused(client, units, field):
    says_in_both_languages(lambda p: send_report(client, p, **{field: "ж" * 501}),
                           "Keep it under %(limit_value)d characters.",
                           limit_value={"where": 300, "when": 200, "who": 500,
                                        "name": 200}[field])


@pytest.mark.parametrize("field", ["body", "where", "when", "who", "name", "phone"])
@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\ufffd"])
def test_control_characters_are_refused_in_every_field(client, units, field, character):
    says_in_both_languages(
        lambda p: send_report(client, p, **{field: f"Ажилтан{character}мөнгө"}),
        "The text contains characters that cannot be read. Type it again or paste it as plain "
        "text.",
    )


def raw_body(client, prefix, fields: dict, bad: bytes, *, multipart: bool):
    """A POST whose body is built by hand, so that the body field holds `bad` bytes exactly
    as a broken browser or a script would send them."""
    if multipart:
        boundary = "ShugelBoundary7d1c"
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
            for name, value in fields.items()
        ]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="body"\r\n\r\n'
                     .encode() + bad + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        content_type = f"multipart/form-data; boundary={boundary}"
    else:
        from urllib.parse import quote_from_bytes, urlencode

        body = (urlencode(fields) + "&body=" + quote_from_bytes(bad)).encode()
        content_type = "application/x-www-form-urlencoded"
    return client.generic("POST", f"{prefix}/report/", body, content_type=content_type,
                          REMOTE_ADDR=next(_address))


@pytest.mark.parametrize("multipart", [True, False], ids=["multipart", "urlencoded"])
@pytest.mark.parametrize("bad", [
    b"\xff\xfe\xfa broken", b"caf\xc3", b"\xed\xa0\x80 surrogate", b"null \x00 byte",
    b"\xd0\xb0\xd0 \x1b[31m escape",
], ids=["not-utf8", "cut-short", "surrogate", "nul", "escape"])
def test_bytes_that_are_not_text_are_refused(client, units, multipart, bad):
    says_in_both_languages(
        lambda p: raw_body(client, p, report_form(client, p), bad, multipart=multipart),
        "The text contains characters that cannot be read. Type it again or paste it as plain "
        "text.",
    )


@pytest.mark.parametrize("phone, message", [
    ("not a phone", "Enter only the phone number, without words around it."),
    ("12", "This is not a valid phone number. Mongolian numbers have 8 digits; foreign "
           "numbers start with + and the country code."),
    ("9911-2233 ext 5",
     "Enter the number without an extension; note the extension in the summary."),
    ("9" * 41, "Keep it under %(limit_value)d characters."),
])
def test_a_phone_number_that_is_not_one_is_refused(client, units, phone, message):
    says_in_both_languages(lambda p: send_report(client, p, phone=phone), message,
                           **({"limit_value": 40} if "limit_value" in message else {}))


def test_an_email_address_that_is_not_one_is_refused(client, units):
    says_in_both_languages(lambda p: send_report(client, p, email="bat at example"),
                           "Enter a valid email address.")


def test_a_file_too_large_is_refused_and_the_words_are_kept(client, units):
    def big():
        return named("зураг.jpg", b"\xff\xd8\xff" + b"0" * uploads.MAX_FILE_BYTES)

    response = says_in_both_languages(
        lambda p: send_report(client, p, body="Миний бичсэн үг", files=[big()]),
        "A file is larger than %(limit)d MB.", limit=10,
    )
    assert response.status_code == 413
    assert "Миний бичсэн үг" in text_of(response)


def test_a_request_larger_than_all_files_together_is_refused_unread(client, units):
    response = client.post("/report/", b"x", content_type="application/octet-stream",
                           CONTENT_LENGTH=str(60 * 2**20))
    assert response.status_code == 413
    assert says(response, "The files are larger than allowed (5 files of 10 MB each). Go back, "
                          "attach smaller files and send again. Nothing was saved.")


@pytest.mark.parametrize("upload, message", [
    (("хоосон.pdf", b""), "A file is empty."),
    (("program.exe", b"MZ\x90\x00 a program"), "Only photos (JPEG, PNG) and PDF documents "
                                                "can be attached."),
    (("page.html", b"<html><script>alert(1)</script></html>"),
     "Only photos (JPEG, PNG) and PDF documents can be attached."),
    (("photo.gif", b"GIF89a....."), "Only photos (JPEG, PNG) and PDF documents can be attached."),
    (("баримт.pdf", b"\x89PNG\r\n\x1a\n not really"),
     "A file's content does not match its name. Attach the original photo or PDF."),
    (("зураг.jpg", b"%PDF-1.4 a document"),
     "A file's content does not match its name. Attach the original photo or PDF."),
    (("invoice.pdf.exe", b"%PDF-1.4 a document"),
     "A file's content does not match its name. Attach the original photo or PDF."),
    (("эвдэрсэн.jpg", b"\xff\xd8\xff\xe0 broken jpeg"),
     "A picture could not be read. Attach it again or as a different file."),
], ids=["empty", "exe", "html", "gif", "png-as-pdf", "pdf-as-jpg", "double-extension",
        "broken-jpeg"])
def test_a_file_that_is_empty_forbidden_or_lying_is_refused(client, units, upload, message):
    name, data = upload
    says_in_both_languages(lambda p: send_report(client, p, files=[named(name, data)]), message)


def test_more_files_than_a_request_may_carry_are_refused_unsaved(client, units):
    before = stored()
    response = send_report(client, files=[named(f"{n}.pdf", pdf()) for n in range(11)])
    assert response.status_code == 400
    assert stored() == before


def test_a_broken_multipart_body_is_refused_unsaved(client, units):
    before = stored()
    response = client.generic("POST", "/report/", b"--nope\r\nbroken",
                              content_type="multipart/form-data; boundary=")
    assert response.status_code == 400
    assert stored() == before


def test_more_files_than_allowed_are_refused(client, units):
    files = [named(f"{n}.pdf", pdf()) for n in range(6)]
    says_in_both_languages(lambda p: send_report(client, p, files=files),
                           "Attach at most %(count)d files.", count=5)


@pytest.mark.parametrize("name", [
    "../../../../etc/passwd.jpg", "..\\..\\Windows\\system32\\evil.jpg", "/tmp/abs.jpg",
    "C:\\Users\\Бат\\Desktop\\зураг.jpg", "....//....//x.jpg", "зураг\x00.php.jpg",
    "\u202egpj.exe.jpg", " .. .jpg",
])
def test_path_tricks_in_file_names_leave_a_plain_name_and_nothing_outside_the_media_folder(
    client, units, name, tmp_path
):
    media = Path(settings.MEDIA_ROOT)
    outside_before = set(tmp_path.rglob("*"))
    response = send_report(client, files=[named(name, jpeg())])
    assert response.status_code == 200
    kept = Attachment.objects.get().filename.reveal()
    assert "/" not in kept and "\\" not in kept and ".." not in kept and "\x00" not in kept
    assert kept.endswith(".jpg") and not kept.startswith(".")
    assert all(ord(ch) >= 32 and ch != "\u202e" for ch in kept)
    new = set(tmp_path.rglob("*")) - outside_before
    assert new and all(p == media or media in p.parents for p in new)


def test_a_form_posted_twice_makes_one_complaint(client, units):
    fields = {**report_form(client), "body": "Нэг удаа илгээсэн."}
    first = client.post("/report/", fields)
    assert first.status_code == 200
    for prefix in ("", "/en"):
        again = client.post(f"{prefix}/report/", fields)
        assert again.status_code == 409
        assert says(again, "This form was already sent, and your report was received once. "
                           "Your receipt code was shown on the page after sending; for your "
                           "safety it cannot be shown again.")
        assert 'id="receipt"' not in again.content.decode()
    assert Complaint.objects.count() == 1 and AuditEvent.objects.count() == 1


def test_two_posts_of_one_form_racing_each_other_still_make_one_complaint(
    client, units, monkeypatch
):
    """When both pass the "already received?" check before either is saved, the unique
    token in the database decides."""
    from intake.public import views as views_public

    fields = {**report_form(client), "body": "Давхар илгээсэн."}
    assert client.post("/report/", fields).status_code == 200

    class Unseen:
        objects = Complaint.objects.none()

    monkeypatch.setattr(views_public, "Complaint", Unseen)
    before = stored()
    fields["attachments"] = named("зураг.jpg", jpeg())
    again = client.post("/report/", fields)
    assert again.status_code == 409
    assert stored() == before, "the file written before the clash is removed again"


def test_a_filled_honeypot_is_refused(client, units):
    says_in_both_languages(
        lambda p: send_report(client, p, website="http://spam.example"),
        "The form could not be accepted. Reload the page and try again.",
    )


@pytest.mark.parametrize("token", [None, "", "x" * 32, "forged:1abcde:signature",
                                   "a" * 500], ids=["missing", "empty", "unsigned", "forged",
                                                    "huge"])
def test_a_missing_or_forged_token_is_refused_and_a_fresh_one_given(client, units, token):
    def send(prefix):
        fields = {**report_form(client, prefix), "body": "Миний бичсэн үг"}
        if token is None:
            del fields["token"]
        else:
            fields["token"] = token
        return client.post(f"{prefix}/report/", fields, REMOTE_ADDR=next(_address))

    response = says_in_both_languages(
        send, "This form has expired or is incomplete. Check what you wrote and send it again."
    )
    assert "Миний бичсэн үг" in text_of(response)
    fresh = re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)
    assert fresh != token
    # Sending the page back as it was shown now succeeds.
    again = client.post("/en/report/", {**report_form(client, "/en"), "token": html.unescape(
        fresh), "body": "Миний бичсэн үг"})
    assert again.status_code == 200 and 'id="receipt"' in again.content.decode()


def test_a_form_left_open_for_more_than_a_day_is_checked_again(client, units):
    fields = {**report_form(client), "body": "Хуучин хуудас"}
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        says_in_both_languages(
            lambda p: client.post(f"{p}/report/", fields, REMOTE_ADDR=next(_address)),
            "This form has expired or is incomplete. Check what you wrote and send it again.",
        )


def test_an_unknown_office_or_kind_is_refused(client, units):
    national = units["UBEG"]
    says_in_both_languages(lambda p: send_report(client, p, unit=str(national.pk)),
                           "Select a valid choice. That choice is not one of the available "
                           "choices.")
    says_in_both_languages(lambda p: send_report(client, p, kind="bribe"),
                           "Select a valid choice. %(value)s is not one of the available "
                           "choices.", value="bribe")


def test_html_and_script_in_every_field_are_kept_as_text_and_shown_escaped(client, units):
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = send_report(
        client, body=f"Гомдол {attack}", where=attack, when=attack, who=attack, name=attack,
        files=[named(f"{attack}.jpg", jpeg())],
    )
    assert response.status_code == 200
    # The page's own <script src=…> (print and copy) is not the attack's <script>.
    assert "<script>" not in response.content.decode()
    assert "<img src=x" not in response.content.decode()
    complaint = Complaint.objects.get()
    assert complaint.body.reveal() == f"Гомдол {attack}"
    assert complaint.subject.reveal() == attack
    assert complaint.particulars.reveal() == {"where": attack, "when": attack}
    assert complaint.reporter.reveal() == {"name": attack}
    filename = Attachment.objects.get().filename.reveal()
    assert "script" in filename and "/" not in filename

    # Shown back on a refused form, in the fields and in the messages, it is escaped too.
    refused = send_report(client, body=attack, who=attack, phone=attack, email=attack,
                          kind=attack, token=attack, unit=attack)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "<script" not in page and "<img src=x" not in page
    assert page.count("&lt;script&gt;") >= 4
    assert Complaint.objects.count() == 1


def test_html_sent_on_the_web_is_shown_escaped_to_the_officer_too(
    client, units, personas, signed_in
):
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert send_report(client, body=f"Гомдол {attack}", where=attack,
                       who=attack).status_code == 200
    complaint = Complaint.objects.get()
    officer = signed_in(personas["officer"])
    page = officer.post(f"/staff/u/DG/c/{complaint.reference}/read/").content.decode()
    assert "Гомдол" in page
    # The staff page's own script (static/js/live.js, same origin) is there; the reporter's
    # is not.
    assert "<script>alert" not in page and "<img src=x" not in page
    assert page.count("<script") == page.count('<script src="/static/js/live')
    assert "&lt;script&gt;" in page


def test_too_many_reports_from_one_client_are_refused_kindly(client, units, monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "report", (Limit(2, 600), Limit(100, 60)))
    for _ in range(2):
        assert send_report(client, address="198.51.100.9").status_code == 200
    for prefix in ("", "/en"):
        before = stored()
        response = send_report(client, prefix, address="198.51.100.9", body="Миний бичсэн үг")
        assert response.status_code == 429
        assert says(response, "Too many attempts in a short time. Wait ten minutes and try "
                              "again. Nothing was saved.")
        assert "Миний бичсэн үг" in text_of(response), "what was typed is not lost"
        assert stored() == before
    assert send_report(client, address="198.51.100.10").status_code == 200


def test_a_flood_from_many_clients_slows_reports_down_without_losing_them(client, units,
                                                                           monkeypatch):
    """Past the site-wide figure a report needs the page's proof of work or a short wait
    (tests/intake/test_ratelimit.py); without either it is sent back with its text."""
    monkeypatch.setitem(ratelimit.LIMITS, "report", (Limit(5, 600), Limit(3, 60)))
    codes = [send_report(client, body=f"Гомдол {n}").status_code for n in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert Complaint.objects.count() == 3
