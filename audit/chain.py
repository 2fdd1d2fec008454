"""The audit chain's canonical serialisation and HMAC: the one definition of what is signed.

Each event's HMAC covers the previous event's HMAC and every stored field, so changing,
removing, adding or moving an event breaks the chain from that point on. The key comes from
the keyring (purpose "audit"), never from the database, so someone who can only write to
the database cannot compute a valid HMAC for anything they change.

The message is the stored column values, in CHAIN_COLUMNS order, joined by U+001F (unit
separator) behind a format tag:

    <prev_hash> US shugel-audit-1 US <seq> US <occurred_at> US ... US <key_version>

Values are written as Python's `%s` writes them (an empty foreign key is `None`). No stored
value may contain a control character (`record` refuses them; JSON escapes them in
`details`), so a genuine message has exactly twelve separators and splits into fields one
way only: no one can move text from one field into another and keep the HMAC.
"""

import hashlib
import hmac
import json
import re
from datetime import UTC, datetime

from vault.keyring import KeyringError, keyring

FORMAT_TAG = "shugel-audit-1"
SEPARATOR = "\x1f"
GENESIS = "0" * 64  # the "previous hash" of event 1

# The columns the HMAC covers, in message order. `mac` itself follows them in every query.
CHAIN_COLUMNS = (
    "prev_hash", "seq", "occurred_at", "actor_kind", "actor_user_id", "actor_label", "action",
    "object_type", "object_id", "unit_id", "details", "key_version",
)
MESSAGE = "%s" + SEPARATOR + FORMAT_TAG + (SEPARATOR + "%s") * (len(CHAIN_COLUMNS) - 1)

# Index of each column in a row selected as CHAIN_COLUMNS + ("mac",).
PREV, SEQ, KEY_VERSION, MAC = 0, 1, len(CHAIN_COLUMNS) - 1, len(CHAIN_COLUMNS)

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # fixed width, so text order is time order
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def message(values: tuple) -> bytes:
    """The bytes the HMAC is computed over, from values in CHAIN_COLUMNS order."""
    return (MESSAGE % values).encode()


def compute_mac(key: bytes, values: tuple) -> str:
    """HMAC-SHA256 of an event given as CHAIN_COLUMNS values, as hex."""
    return hmac.new(key, message(values), hashlib.sha256).hexdigest()


def timestamp(moment: datetime | None = None) -> str:
    """UTC time as stored and signed: `2026-01-31T04:05:06.123456Z`."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def parse_timestamp(text: str) -> datetime:
    return datetime.strptime(text, TIMESTAMP_FORMAT).replace(tzinfo=UTC)


def canonical_json(details: dict) -> str:
    """Sorted keys, no spaces, real characters: one text per value, so the HMAC is stable."""
    return json.dumps(
        details, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


class MacKeys:
    """The audit keys by version, each as a keyed HMAC ready to copy.

    Copying a keyed HMAC skips hashing the key again for every event, which is a third of
    the work on short messages.
    """

    def __init__(self):
        self._keyed: dict = {}

    def keyed(self, version):
        """The keyed HMAC for `version`, or None when the keyring does not hold it."""
        try:
            return self._keyed[version]
        except KeyError:
            pass
        except TypeError:  # a value no key version could be (the row was tampered with)
            return None
        try:
            key = keyring.key("audit", int(version))
        except (KeyringError, TypeError, ValueError):
            keyed = None
        else:
            keyed = hmac.new(key, digestmod=hashlib.sha256)
        self._keyed[version] = keyed
        return keyed

    def mac(self, values: tuple) -> str | None:
        """The HMAC of an event given as CHAIN_COLUMNS values; None when its key is missing."""
        keyed = self.keyed(values[KEY_VERSION])
        if keyed is None:
            return None
        digest = keyed.copy()
        digest.update(message(values))
        return digest.hexdigest()
