"""Rate limits for the public pages that keep no address.

A client is known only by an HMAC of its address under a key that changes every day, held in
the cache for the length of one window and then forgotten; the address itself is never
written anywhere. A global limit per scope caps floods from many addresses.
"""

import hashlib
import hmac
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from vault.keyring import keyring


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
    """Spends one attempt of `scope` for this client; False when over either limit."""
    per_client, whole_site = LIMITS[scope]
    client_ok = _spend(f"{scope}:c:{_client_key(request)}", per_client)
    site_ok = _spend(f"{scope}:all", whole_site)
    return client_ok and site_ok
