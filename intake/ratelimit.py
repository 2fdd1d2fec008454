"""Rate limits for the public pages that keep no address.

A client is known only by an HMAC of its address under a key that changes every day, held in
the cache for the length of one window and then forgotten; the address itself is never
written anywhere. A global limit per scope caps floods from many addresses.

The cache is Redis in the scaled deployment. If Redis is down the limits are not counted and
every request is let through: a citizen's report must not fail because a counter cannot be
kept. The outage is logged once per LOG_EVERY_SECONDS, not once per request.
"""

import hashlib
import hmac
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from vault.keyring import keyring

logger = logging.getLogger(__name__)
LOG_EVERY_SECONDS = 300
_last_logged = 0.0


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


def _client_key(request) -> str:
    day = timezone.now().strftime("%Y-%m-%d").encode()
    day_key = hmac.new(keyring.key("blind"), b"shugel-ratelimit|" + day, hashlib.sha256).digest()
    address = (request.META.get("REMOTE_ADDR") or "").encode()
    return hmac.new(day_key, address, hashlib.sha256).hexdigest()[:32]


def _spend(key: str, limit: Limit) -> bool:
    window = int(timezone.now().timestamp()) // limit.seconds
    key = f"rl:{key}:{window}"
    cache.add(key, 0, timeout=limit.seconds + 1)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=limit.seconds + 1)
        used = 1
    return used <= limit.count


def allow(scope: str, request) -> bool:
    """Spends one attempt of `scope` for this client; False when over either limit, True
    when the limits cannot be counted (the cache is down)."""
    global _last_logged
    per_client, whole_site = LIMITS[scope]
    try:
        client_ok = _spend(f"{scope}:c:{_client_key(request)}", per_client)
        site_ok = _spend(f"{scope}:all", whole_site)
    except Exception as error:  # noqa: BLE001 - any cache failure lets the request through
        now = time.monotonic()
        if now - _last_logged > LOG_EVERY_SECONDS:
            _last_logged = now
            logger.error("rate limits not counted: the cache is unavailable (%s)",
                         type(error).__name__)
        return True
    return client_ok and site_ok
