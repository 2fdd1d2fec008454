"""What every page of a journey is held to, for tests/browser/test_journeys.py.

A `Journey` walks one person through the site in one browser context. After each step the
test calls `journey.look(name)`: the page is looked at on a 1,280 px screen and a 390 px phone
(by resizing, not reloading), screenshotted to var/screenshots/<role>/, scanned for
English words on a Mongolian page, and, once per page and language, checked with axe-core.

Defects are collected, not raised one by one: a journey walks to its end and then reports
every page that failed, so one run lists all that is left to fix.
"""

import re
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Error as PlaywrightError

from tests.conftest import sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = {"desk": (1280, 800), "phone": (390, 844)}
BROWSER_DATE_INPUTS = "input:is([type=date], [type=datetime-local], [type=month], [type=time])"
PAGE_WIDTH = "[document.documentElement.scrollWidth, window.innerWidth]"

# Latin letters a Mongolian page may show, each for a reason a clerk would accept:
ALLOWED_LATIN = {
    "Shugel",  # the product's name, as on the login page and in the README
    "English",  # the language switcher names the other language in that language
    "PDF", "DOCX", "XLSX", "CSV", "JPEG", "PNG",  # file formats, named so on every computer
    "IP",  # "IP хаяг": Mongolian writes the internet address so, as the privacy notice does
    "SHA",  # "SHA-256", the name of the hash printed under a frozen report
    "DG", "DU", "UBEG",  # unit codes, part of every reference number
    "Ctrl",  # a key as the keyboard prints it: the no-script hint to print (Ctrl+P)
}
# Reference numbers (DG-2026-00001, DG-2026-00001-R1, DG-T-2026-11) are codes, not words.
REFERENCE = re.compile(r"\b[A-Z]{2,5}(?:-[A-Z0-9]+)+\b")
# Hashes (of a report, of the audit chain) are printed in hex, whole or shortened: a run of
# hex digits holding at least one digit is a code, not a word.
HEX = re.compile(r"\b[0-9a-f]*[0-9][0-9a-f]*\b|[0-9a-f-]+…")
# A file's name keeps its extension (баримт.pdf): part of the name, not a word.
EXTENSION = re.compile(r"(?<=\w)\.(?:pdf|jpe?g|png|heic|webp|docx?|xlsx?|csv|txt|json)\b")
# A file the system named itself (checkpoint-…-20261110T030000Z.json) is a code.
SYSTEM_FILE = re.compile(r"\b[\w-]+\.json\b")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Developer output on the audit trail: braces of a dict, Python literals, dotted action
# codes (report.approved) and model labels (intake.complaint).
RAW_CODE = re.compile(r"[{}]|\bTrue\b|\bFalse\b|\bNone\b|\b[a-z_]+\.[a-z_]+\b")


def mn(text: str) -> str:
    """What a Mongolian page shows for the msgid `text`."""
    with translation.override("mn"):
        return gettext(text)


def latin_words(text: str) -> list[str]:
    """The English (Latin-script) words of a page's visible text, outside the allow-list,
    each with a little of the text around it so that the page is quickly fixed."""
    text = SYSTEM_FILE.sub(" ", text)
    text = " ".join(HEX.sub(" ", REFERENCE.sub(" ", EXTENSION.sub("", text))).split())
    found = {}
    for match in LATIN_WORD.finditer(text):
        if match.group() not in ALLOWED_LATIN and match.group() not in found:
            found[match.group()] = text[max(0, match.start() - 20):match.end() + 20]
    return [f"{word} (…{around}…)" for word, around in sorted(found.items())]


def fill_when(field, moment: datetime) -> None:
    """Types a date and time the way the field asks: a browser's datetime-local input takes
    ISO; the Mongolian text field issue 17 asks for takes 2026.12.06 14:30."""
    kind = field.get_attribute("type")
    if kind == "datetime-local":
        field.fill(moment.strftime("%Y-%m-%dT%H:%M"))
    elif kind == "date":
        field.fill(moment.strftime("%Y-%m-%d"))
    else:
        field.fill(moment.strftime("%Y.%m.%d %H:%M"))


def signed_in_context(browser, live_server, user, *, javascript: bool):
    """A browser context signed in as `user` (the session made as the sign-in form with its
    second factor would make it), in an English-locale browser: Mongolian pages must not
    follow the browser's locale."""
    context = browser.new_context(locale="en-US", timezone_id="Asia/Ulaanbaatar",
                                  java_script_enabled=javascript,
                                  viewport={"width": 1280, "height": 800})
    if user is not None:
        client = sign_in(Client(), user)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                              "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    return context


class Journey:
    """One person's walk through the site, with what every page visited is held to."""

    def __init__(self, context, base_url: str, role: str, *, javascript: bool, axe_seen: set):
        self.context, self.base, self.role = context, base_url, role
        self.javascript = javascript
        self.page = context.new_page()
        self.page.set_default_timeout(15_000)
        self.problems: list[str] = []
        self.visited: dict[str, str] = {}  # path looked at: its name, to look again in English
        self.axe_seen = axe_seen  # (path, language) already checked by axe in this module
        self.folder = SCREENSHOTS / role
        self.folder.mkdir(parents=True, exist_ok=True)

    # --- moving -------------------------------------------------------------------------
    def go(self, path: str, language: str = "mn"):
        prefix = "" if language == "mn" else "/en"
        return self.page.goto(self.base + prefix + path)

    def button(self, msgid: str, language: str = "mn"):
        name = mn(msgid) if language == "mn" else msgid
        return self.page.get_by_role("button", name=name, exact=True)

    def check(self, ok: bool, message: str) -> None:
        problem = f"{self.role} · {self.path()} · {message}"
        if not ok and problem not in self.problems:  # a page looked at twice, said once
            self.problems.append(problem)

    def path(self) -> str:
        return self.page.url.removeprefix(self.base)

    # --- looking ------------------------------------------------------------------------
    def look(self, name: str, language: str = "mn") -> None:
        """Holds the page now shown to the rules of issue 17, at both widths."""
        page = self.page
        path = self.path()
        if language == "mn":
            self.visited.setdefault(path, name)
        self.check(page.locator("html").get_attribute("lang") == language,
                   f"html lang is not {language}")
        acting = page.viewport_size
        for width, height in WIDTHS.values():
            page.set_viewport_size({"width": width, "height": height})
            scroll, inner = page.evaluate(PAGE_WIDTH)
            self.check(scroll <= inner, f"{scroll} px wide on a {width} px screen ({language})")
            if self.pictured(width, language):
                js = "js" if self.javascript else "nojs"
                page.screenshot(path=str(self.folder / f"{name}-{language}-{width}-{js}.png"),
                                full_page=True)
        page.set_viewport_size(acting)
        if language == "mn":
            words = latin_words(page.locator("body").inner_text())
            self.check(not words, f"English words on a Mongolian page: {words}")
            # The browser draws these in its own locale (mm/dd/yyyy, AM/PM in en-US), which
            # no text scan sees: a Mongolian page asks for dates as 2026.12.06 14:30 instead.
            native = page.locator(BROWSER_DATE_INPUTS).count()
            self.check(not native, f"{native} date inputs drawn in the browser's locale")
        self.axe(language)

    def pictured(self, width: int, language: str) -> bool:
        """Which looks are screenshotted, to keep the module inside its time budget: with
        JavaScript, Mongolian at both widths and English on the screen; without, the phone
        (the layout is the server's either way; the width is measured at both in all)."""
        if self.javascript:
            return language == "mn" or width == 1280
        return width == 390

    def axe(self, language: str) -> None:
        """axe-core on this page, once per page and language in the module; JavaScript must
        be on for axe to run, and the markup it checks is the same either way."""
        path = REFERENCE.sub("<reference>", self.path().split("?")[0])
        key = (path.removeprefix("/en"), language)
        if not self.javascript or key in self.axe_seen:
            return
        self.axe_seen.add(key)
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(self.page)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"]][:3]
                self.check(False, f"axe {violation['impact']} {violation['id']} ({language}): "
                                  f"{violation['help']} at {targets}")

    def look_again_in_english(self) -> None:
        """Each page this journey read in Mongolian, read again in English (pages shown
        only as the answer to a form are skipped: they have no address to go back to)."""
        for path, name in self.visited.items():
            if path.startswith("/en/"):
                continue
            try:
                response = self.go(path, "en")
            except PlaywrightError:  # a page that only answers a POST, such as /read/
                continue
            if response is None or response.status != 200:
                continue
            self.look(name, language="en")

    def keeps_typed_text(self, field, text: str, other_button, what: str) -> None:
        """Issue 17, item 3: text typed in one part of the page survives pressing the other
        button, either still in its box or saved and shown. A box folded away under "More"
        is unfolded first, as a person would."""
        fold = field.locator("xpath=ancestor::details[1]")
        if fold.count() and not field.is_visible():
            fold.locator("summary").first.click()
        field.fill(text)
        other_button.click()
        self.page.wait_for_load_state()
        boxes = self.page.locator("textarea, input[type=text]")
        values = [boxes.nth(i).input_value() for i in range(boxes.count())]
        shown = text in self.page.locator("main").inner_text() or text in values
        self.check(shown, f"typed text lost: {what}")

    def finish(self) -> None:
        self.context.close()
        assert not self.problems, "\n" + "\n".join(self.problems)
