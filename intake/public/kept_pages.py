"""The citizen's busiest pages, rendered once and kept: the empty report form, and the
receipt shown once a report is in (intake.public.views, intake.public.receipt_page).

Every anonymous visitor who opens the form at the same address, in the same language, while
the same units are offered and the site is (or is not) asking for a proof of work, gets the
same page but for two values made fresh for each of them: the CSRF token and the form's
one-time token. A receipt page differs from another of the same language only in the code,
the reference number, the signed copy of both its language switch carries, and the CSRF
token. Rendering them (the layout, a dozen widgets, each a template of its own) was most of
what fetching the form and answering a report cost after the receipt's hash
(`bench/intake_submit.py --profile`). So a page is rendered once with a marker in place of
each such value, and kept, a few per process; each visitor gets a copy with their own values
put in. Only markers are ever rendered into a kept page, never a visitor's value.

What could differ from one visitor to the next is in the key (language, address, and what
the caller names) or keeps the page from being kept at all: a signed-in person (the header
shows their links) and a visitor with messages waiting are given a page rendered for them,
as before.
"""

import secrets
import threading
from collections import OrderedDict

from django.contrib import messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.html import escape
from django.utils.translation import get_language

KEEP = 32
_NONCE = secrets.token_hex(12)  # random per process: no text can be mistaken for a marker

_pages: OrderedDict = OrderedDict()
_lock = threading.Lock()  # request threads share the pages


def marker(name: str) -> str:
    return f"kept{_NONCE}{name}x"


def shareable(request) -> bool:
    """Whether this visitor's page is everyone's: anonymous, with no messages waiting."""
    return not request.user.is_authenticated and not len(messages.get_messages(request))


def kept_page(request, key: tuple, render, *, status: int = 200, **values: str) -> HttpResponse:
    """The page for `key` with this visitor's `values` and CSRF token put in. `render(csrf,
    **markers)` makes the page's HTML with a marker in place of each, when it is not kept
    yet; every value is escaped as the template would have escaped it."""
    key = (get_language(), request.get_full_path(), *key)
    with _lock:
        page = _pages.get(key)
        if page is not None:
            _pages.move_to_end(key)
    if page is None:
        page = render(marker("csrf"), **{name: marker(name) for name in values})
        with _lock:
            _pages[key] = page
            while len(_pages) > KEEP:
                _pages.popitem(last=False)
    for name, value in {"csrf": get_token(request), **values}.items():
        page = page.replace(marker(name), escape(value))
    return HttpResponse(page, status=status)
