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


def signin_client(request):
    """What django-axes takes for the client's address (AXES_CLIENT_IP_CALLABLE): a keyed
    hash of it that changes every day, so failures count per (username, client) without an
    address kept. The cache handler only joins it into a cache key; nothing parses it as an
    address."""
    return client_hash(request, purpose="signin")


def signin_client_str(username, ip_address, user_agent, path_info, request):
    """How django-axes names a client in its log lines (AXES_CLIENT_STR_CALLABLE). By
    default that is the username, the address and the path; a failed sign-in's username may
    be a mistyped password, so the lines say only that a sign-in failed or was locked."""
    return "a staff sign-in"
