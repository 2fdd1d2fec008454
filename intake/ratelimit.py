"""Rate limits for the public pages that keep no address.

A client is known only by vault.clients.client_hash: an HMAC of its address under a key that
changes every day, held in the cache for the length of one window and then forgotten; the
address itself is never written anywhere. Only a request sent from a form this site gave out
(a valid signed token, checked by the view first) is counted, so made-up posts cannot spend
an honest visitor's budget.

Each scope has two figures. Past the per-client one, that client is refused (429). The
site-wide one never refuses anybody: past it the site is "under pressure", and each sender
is slowed instead, as GlobaLeaks does: the page's own script proves a little work
(SHA-256 of the form token and a nonce with POW_BITS leading zero bits, static/js/pow.js),
or a browser without JavaScript sends a form it was given at least POW_WAIT_SECONDS earlier.
Only requests a client's own limit allowed spend the site's budget, so a client over its
limit does not also drain everybody else's.

The cache is Redis in the scaled deployment. If Redis is down the limits are not counted and
every request is let through: a citizen's report must not fail because a counter cannot be
kept. The outage is logged once per LOG_EVERY_SECONDS, not once per request.
"""

import hashlib
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from core.logging import Every
from vault.clients import client_hash

logger = logging.getLogger(__name__)
LOG_EVERY_SECONDS = 300
_outage_log = Every(LOG_EVERY_SECONDS)

# About one to three seconds of a phone's work (65 536 hashes on average); one hash for the
# server to check.
POW_BITS = 16
# What a browser without JavaScript waits instead, from the moment the form was given out.
POW_WAIT_SECONDS = 30
MAX_SOLUTION_LENGTH = 32
# How long a lookup or message token sent under pressure is remembered as spent: its life
# (intake.public.forms.TOKEN_MAX_AGE).
SPENT_TOKEN_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


# scope: (per client, whole site)
LIMITS = {
    "report": (Limit(5, 600), Limit(300, 60)),
    "track": (Limit(10, 600), Limit(600, 60)),
    "message": (Limit(10, 600), Limit(300, 60)),
}


def _window(name: str, limit: Limit) -> str:
    return f"rl:{name}:{int(timezone.now().timestamp()) // limit.seconds}"


def _spend(key: str, limit: Limit) -> bool:
    # Fixed windows: the key lives one window (and a second for the clock's edge), then the
    # cache forgets it and the hash in it.
    cache.add(key, 0, timeout=limit.seconds + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=limit.seconds + 1)
        used = 1
    return used <= limit.count


def _cache_failed(error: Exception) -> None:
    if _outage_log.due():
        logger.error("rate limits not counted: the cache is unavailable (%s)",
                     type(error).__name__)


def allow(request, *scopes: str) -> bool:
    """Spends one attempt of each scope for this client; False when the client is over one
    of its own limits (and then nothing of the site's budget is spent), True when the limits
    cannot be counted (the cache is down)."""
    try:
        client = client_hash(request, purpose="ratelimit")
        allowed = [_spend(_window(f"{scope}:c:{client}", LIMITS[scope][0]), LIMITS[scope][0])
                   for scope in scopes]
        if all(allowed):
            for scope in scopes:
                _spend(_window(f"{scope}:all", LIMITS[scope][1]), LIMITS[scope][1])
    except Exception as error:  # noqa: BLE001 - any cache failure lets the request through
        _cache_failed(error)
        return True
    return all(allowed)


def under_pressure(*scopes: str) -> bool:
    """Whether the site-wide count of one of `scopes` has reached its figure in this window;
    False when it cannot be read."""
    try:
        return any((cache.get(_window(f"{scope}:all", LIMITS[scope][1])) or 0)
                   >= LIMITS[scope][1].count for scope in scopes)
    except Exception as error:  # noqa: BLE001 - as in allow()
        _cache_failed(error)
        return False


def solved(token: str, solution: str, bits: int = POW_BITS) -> bool:
    """Whether SHA-256("<token>|<solution>") starts with `bits` zero bits."""
    if not solution or len(solution) > MAX_SOLUTION_LENGTH:
        return False
    digest = hashlib.sha256(f"{token}|{solution}".encode()).digest()
    return int.from_bytes(digest, "big") >> (256 - bits) == 0


def paced(token: str, solution: str, *, age: float) -> bool:
    """Whether a request may pass while the site is under pressure: the browser proved the
    work, or the form was given out long enough ago."""
    return age >= POW_WAIT_SECONDS or solved(token, solution)


def first_use(token: str, *, age: float = 0.0) -> bool:
    """Whether this form token is sent for the first time. While the site is under pressure a
    lookup or message token serves once, so that neither its proof of work nor its wait can be
    spent again: each further request needs a fresh form, and so fresh work. The cache keeps a
    hash of the token, never the token, for what is left of its life (`age` is how old it
    is); True when the cache is down."""
    key = "pow-spent:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    left = max(1, int(SPENT_TOKEN_SECONDS - age) + 1)
    try:
        return bool(cache.add(key, 1, timeout=left))
    except Exception as error:  # noqa: BLE001 - as in allow()
        _cache_failed(error)
        return True
