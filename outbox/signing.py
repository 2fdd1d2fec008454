"""Signed requests between Shugel and an agency, in both directions: the packages we post
to the agency's API and the answers it posts back to us.

    X-Shugel-Timestamp: 1774000000
    X-Shugel-Signature: v1=<hex HMAC-SHA256(secret, b"1774000000." + body)>

The timestamp is inside the signature so that a request captured on the way cannot be
replayed later than AGENCY_CALLBACK_MAX_SKEW_SECONDS; the body is signed as raw bytes, so
nothing has to agree on how JSON is re-encoded. Several `v1=` values, comma-separated, are
accepted, so that an agency rotating its secret can sign with the old and the new for a while.
"""

import hashlib
import hmac
import time

from django.conf import settings

TIMESTAMP_HEADER = "X-Shugel-Timestamp"
SIGNATURE_HEADER = "X-Shugel-Signature"
SCHEME = "v1"


class SignatureError(Exception):
    """The request is not signed, is signed wrongly, or is too old or too new. The message
    says which, for our logs; the agency is told only that the signature was refused."""


def _mac(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body,
                    hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    """The two headers that sign `body` with `secret`."""
    timestamp = str(int(time.time() if now is None else now))
    return {TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: f"{SCHEME}={_mac(secret, timestamp, body)}"}


def verify(secret: str, body: bytes, *, timestamp: str | None, signature: str | None,
           now: float | None = None) -> None:
    """Returns if `signature` signs `body` at `timestamp` with `secret` and the timestamp is
    recent; raises SignatureError otherwise. The comparison takes constant time."""
    if not timestamp or not signature:
        raise SignatureError("unsigned")
    timestamp = timestamp.strip()
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise SignatureError("malformed timestamp")
    skew = abs((time.time() if now is None else now) - int(timestamp))
    if skew > settings.AGENCY_CALLBACK_MAX_SKEW_SECONDS:
        raise SignatureError("stale timestamp")
    expected = _mac(secret, timestamp, body).encode("ascii")
    matched = False
    for part in signature.split(","):
        scheme, _, value = part.strip().partition("=")
        if scheme == SCHEME:
            # Every candidate is compared, so the time taken does not tell which matched.
            matched |= hmac.compare_digest(expected, value.strip().encode("ascii", "replace"))
    if not matched:
        raise SignatureError("bad signature")
