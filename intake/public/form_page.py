"""The empty report form's page, rendered once and kept (intake.public.views.report).

Every anonymous visitor who opens the form at the same address, in the same language, while
the same units are offered and the site is (or is not) asking for a proof of work, gets the
same page but for two values made fresh for each of them: the CSRF token and the form's
one-time token. Rendering it (the layout, a dozen widgets, each a template of its own) was
the largest cost of fetching the form (`bench/intake_submit.py --profile`). So the page is
rendered once with a marker in place of each of the two values and kept, a few pages per
process; each visitor gets a copy with their own tokens put in.

What could differ from one visitor to the next is in the key (language, address, units,
proof of work) or keeps the page from being kept at all: a signed-in person (the header
shows their name and links) and a visitor with messages waiting are given a page rendered
for them, as before. The page holds nothing a visitor wrote.
"""

import secrets
import threading
from collections import OrderedDict

from django.contrib import messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from intake.public.forms import new_form_token

KEEP = 16
# Random per process: nothing in a kept page can be mistaken for them.
CSRF_MARK = f"csrf{secrets.token_hex(16)}"
TOKEN_MARK = f"token{secrets.token_hex(16)}"

_pages: OrderedDict = OrderedDict()
_lock = threading.Lock()  # request threads share the pages


def shareable(request) -> bool:
    """Whether this visitor's page is everyone's: anonymous, with no messages waiting."""
    return not request.user.is_authenticated and not len(messages.get_messages(request))


def kept_page(request, key: tuple, render) -> HttpResponse:
    """The page for `key` with this visitor's tokens. `render(csrf, token)` makes the
    page's HTML with the given values in place of the tokens, when it is not kept yet."""
    key = (get_language(), request.get_full_path(), *key)
    with _lock:
        page = _pages.get(key)
        if page is not None:
            _pages.move_to_end(key)
    if page is None:
        page = render(CSRF_MARK, TOKEN_MARK)
        with _lock:
            _pages[key] = page
            while len(_pages) > KEEP:
                _pages.popitem(last=False)
    return HttpResponse(page.replace(CSRF_MARK, get_token(request))
                        .replace(TOKEN_MARK, new_form_token()))
