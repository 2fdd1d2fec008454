"""No English word on a Mongolian page: every page the authorization matrix knows, opened in
Mongolian by each person who may open it, is read as a clerk reads it — its text, and the
words a browser shows from its attributes (placeholders, titles, labels for screen readers)
— and a word in Latin letters must be on the short list below.

A word in Latin letters on /mn/ pages is almost always a raw code that reached a template (a
status "received", an agency code "atg", a content type "image/jpeg") or an English hint.
"""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from intake.case.services import staff_reply_send
from intake.models import Complaint
from intake.public import views as views_public
from org.models import Unit
from tests.intake.test_tracking import track
from tests.intake.test_web_submission import pdf, receipt_of, send_report
from tests.security.conftest import MATRIX_NOW, world_records
from tests.security.helpers import body_of, rolled_back
from tests.security.test_authz_matrix import (
    ALLOWED,
    RULES,
    expected,
    persona_client,
)
from tests.shared_data import shared_records

# Every test starts from the one world, built once for the module (tests/shared_data.py).
_records, _built, units, personas, world = shared_records(
    world_records, keys=["world"], at=MATRIX_NOW)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_records", "at_matrix_time")]

# Whoever sees a page differently: each role, the public, and the head of the unit above.
READERS = ["anonymous", "clerk", "officer", "head", "auditor", "admin", "national_head"]
# Attributes whose words a person sees or hears.
SHOWN_ATTRIBUTES = {"placeholder", "title", "alt", "aria-label"}
HIDDEN_ELEMENTS = {"script", "style", "template"}

# What may be in Latin letters on a Mongolian page, and why. Kept short on purpose.
NOT_WORDS = [
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",  # e-mail addresses: the unit's, an agency's
    r"(?:https?://|www\.)\S+",  # addresses of web pages
    # Reference numbers: a complaint DG-2026-00006, a referral …-R1, a report DG-T-2026-10;
    # a unit's code (DG, DU) is how the unit's own papers number it.
    r"\b[A-Z]{2,}(?:-[A-Z0-9]+)+\b",
    r"\b[\w.-]+\.(?:pdf|jpe?g|png|csv|xlsx|docx|odt|txt|asc|gpg|json)\b",  # a file's name
    # Digests (SHA-256, HMAC) and file ids, whole or cut short with "…", shown to be
    # compared letter by letter.
    r"\b[0-9a-f]{8,}(?:-[0-9a-f]+)*",
    r"\bA[345]\b",  # paper sizes (A4, A3), as Mongolian offices name them too
]
ALLOWED_WORDS = {
    # The language switch names English in English, so that an English reader finds it.
    "English",
    # Sign-in: the second factor's standard names a person sets their phone's app up with.
    "TOTP",
    # File formats, by the names people know them by (the report's downloads, the kinds
    # of file an upload takes).
    "CSV", "XLSX", "DOCX", "PDF", "JPEG", "PNG", "JSON",
    # Names with no Mongolian form, used as they are in Mongolian writing: "IP хаяг" on the
    # public pages' privacy promise, the audit seal's method (HMAC), OpenPGP e-mail.
    "IP", "HMAC", "OpenPGP",
    # The code a phone reads on the poster: "QR код" in Mongolian too.
    "QR",
    # Social media platforms a message came from, by their own names.
    "Facebook", "Instagram", "Twitter", "X",
    # Keys as a Mongolian keyboard prints them: the no-script hints to copy and print.
    "Ctrl", "C", "P",
}


def names_of_the_world() -> set[str]:
    """The test people's names and login names (Clerk Т., "officer") and the units' codes
    (DG): a person's name is written as they are called, a login name as they type it, and
    a unit's code is the one its reference numbers (DG-2026-00006) are built on."""
    rows = [*get_user_model().objects.values_list("username", "first_name", "last_name"),
            *Unit.objects.values_list("code")]
    return {word for row in rows for value in row for word in LATIN_WORD.findall(value)}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")


class ShownText(HTMLParser):
    """The text of a page as a person meets it: what is drawn, and the shown attributes.
    Left out: scripts, and what a page marks translate="no" — the auditor's raw record, a
    key's name as commands take it — which is not Mongolian text and says so."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0
        self.untranslated: list[str] = []  # the open elements marked translate="no"
        self.depth = 0  # of elements of the same name inside the outermost such element

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.untranslated:
            self.depth += tag == self.untranslated[0]
            return
        if attributes.get("translate") == "no":
            self.untranslated.append(tag)
            return
        if tag in HIDDEN_ELEMENTS:
            self.hidden += 1
        self.parts.extend(value for name, value in attrs if name in SHOWN_ATTRIBUTES and value)
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if self.untranslated:
            if tag == self.untranslated[0]:
                if self.depth:
                    self.depth -= 1
                else:
                    self.untranslated.clear()
            return
        if tag in HIDDEN_ELEMENTS and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and not self.untranslated:
            self.parts.append(data)


def latin_words(html: str, names: frozenset[str] = frozenset()) -> set[str]:
    reader = ShownText()
    reader.feed(html)
    text = " ".join(reader.parts)
    for pattern in NOT_WORDS:
        text = re.sub(pattern, " ", text)
    return {word for word in LATIN_WORD.findall(text) if word not in ALLOWED_WORDS | names}


def test_the_reader_finds_english_words_and_lets_addresses_and_numbers_be():
    html = ('<p>Төлөв: received <span title="image/jpeg">файл</span></p>'
            '<script>var x = 1;</script><a href="/en/">English</a>'
            "<p>DG-2026-00006, tuslamj@dg.gov.mn, https://shugel.mn/track, scan.pdf</p>"
            '<input placeholder="YYYY.MM.DD"><input type="submit" value="Send">'
            '<pre translate="no">{"action": <b>"report.approved"</b>}</pre>'
            "<p>Clerk Т. · 6b8d75ebf0a1c2d3e4f5 · atg</p>")
    assert latin_words(html, frozenset({"Clerk"})) == {
        "received", "image", "jpeg", "YYYY", "MM", "DD", "Send", "atg"}


@pytest.mark.parametrize("persona", READERS)
def test_a_mongolian_page_shows_no_english_word(world, persona):
    client = persona_client(world, persona)
    found: dict[str, set[str]] = {}
    names = frozenset(names_of_the_world())
    for rule in RULES:
        if rule.method != "get" or expected(rule, persona, world) != ALLOWED:
            continue
        url = rule.url(world, "mn")
        with rolled_back():
            response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        words = latin_words(body_of(response), names)
        if words:
            found[url] = words
    assert not found, "\n".join(f"{url}: {' '.join(sorted(words))}"
                                 for url, words in sorted(found.items()))


def test_the_reporters_own_pages_show_no_english_word(client, units, personas, settings,
                                                      tmp_path, monkeypatch):
    """The pages only a receipt opens (a POST): the receipt after sending, with a file, and
    the case followed with it once an officer has asked something."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(views_public, "LOOKUP_FLOOR_SECONDS", 0.0)
    cache.clear()
    names = frozenset(names_of_the_world())
    sent = send_report(client, files=[pdf()])
    assert latin_words(body_of(sent), names) == set()
    just_sent = Complaint.objects.latest("pk")  # the world's cases came before it
    staff_reply_send(complaint=just_sent, body="Хэзээ болсон бэ?", by=personas["officer"])
    code = receipt_of(sent)
    followed = track(client, code)
    assert followed.status_code == 200 and "Хэзээ болсон бэ?" in body_of(followed)
    assert latin_words(body_of(followed), names) == set()
    # The same page in English is full of words the reader finds.
    assert {"State", "Messages"} & latin_words(body_of(track(client, code, "/en")), names)
