"""The page that shows a new receipt code, once, as the answer to the report's POST.

Its language switch cannot be a link: the code is never put in an address, and the page is
not there to be fetched again. So each other language gets a small POST form carrying the
code and reference number signed and time-limited (SHOWN_FOR_SECONDS): the same page comes
back in that language, without a lookup and without anything stored. What the form holds is
in the page already; it travels in the POST body only.
"""

from django.conf import settings
from django.core import signing
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from intake.public.kept_pages import kept_page, shareable

SALT = "intake.public.receipt_page"
# Long enough to read the page, switch language and write the code down; short enough that
# a page left open on a shared computer cannot be shown again hours later.
SHOWN_FOR_SECONDS = 30 * 60
LABELS = {"mn": "Монгол", "en": "English"}


def _switches(shown: str) -> list[dict]:
    current = translation.get_language()
    found = []
    for code, _name in settings.LANGUAGES:
        if code == current:
            continue
        with translation.override(code):
            action = reverse("intake:receipt")
        found.append({"code": code, "label": LABELS.get(code, code), "action": action,
                      "shown": shown})
    return found


def receipt_page(request, *, receipt: str, reference: str, status: int = 200):
    """The receipt page for `receipt` (formatted) and the case's `reference`; an anonymous
    visitor's is a copy of a kept one (intake.public.kept_pages)."""
    shown = signing.dumps({"receipt": receipt, "reference": reference}, salt=SALT)
    if not shareable(request):
        return render(request, "intake/public/receipt.html",
                      _context(receipt, reference, shown), status=status)
    return kept_page(request, ("receipt",), lambda csrf, **marked: render_to_string(
        "intake/public/receipt.html", {**_context(**marked), "csrf_token": csrf}, request),
        status=status, receipt=receipt, reference=reference, shown=shown)


def _context(receipt: str, reference: str, shown: str) -> dict:
    return {
        "receipt": receipt,
        "reference": reference,
        # The header's plain links would lead to an empty form: the switch is in the page.
        "language_links": [],
        "receipt_languages": _switches(shown),
    }


def shown_again(signed: str) -> dict | None:
    """What a switch form carried, or None if it was altered or is too old."""
    try:
        shown = signing.loads(signed, salt=SALT, max_age=SHOWN_FOR_SECONDS)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(shown, dict) or not all(
            isinstance(shown.get(key), str) for key in ("receipt", "reference")):
        return None
    return shown
