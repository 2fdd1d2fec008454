"""A client, known without keeping its address: a keyed hash that changes every day.

Rate limits and sign-in lockouts must tell one client from another, or one person can spend
everybody's budget. Shugel never stores or logs an address; it keeps, in the cache and only
for the length of one window, an HMAC of the address under a key derived from the keyring's
"blind" key and the day (Asia/Ulaanbaatar). Tomorrow's hash of the same address is unrelated
to today's, and without the keyring no hash can be tied to an address at all.

The address is `REMOTE_ADDR`: in the scaled deployment uvicorn sets it from the header that
nginx alone may send (deploy/nginx/shugel.conf, `--forwarded-allow-ips`); in the embedded
deployment it is the peer's own address.
"""

import hashlib
import hmac

from django.utils import timezone

from vault.keyring import keyring


def _day_key(purpose: str) -> bytes:
    day = timezone.localdate().isoformat().encode()
    return hmac.new(keyring.key("blind"), b"shugel-client|" + purpose.encode() + b"|" + day,
                    hashlib.sha256).digest()


def client_hash(request, *, purpose: str) -> str:
    """32 hex characters naming this request's client for today and for `purpose` only
    (the same address gives unrelated hashes for rate limits and for sign-in lockout)."""
    address = (request.META.get("REMOTE_ADDR") or "").encode()
    return hmac.new(_day_key(purpose), address, hashlib.sha256).hexdigest()[:32]
