"""The keyring: versioned 256-bit keys for separate purposes, kept outside the database.

The keyring is a JSON file (path in SHUGEL_KEYRING) or the same JSON in the environment
variable SHUGEL_KEYRING_JSON. Each purpose has numbered versions and one active version:

    {"format": 1,
     "purposes": {"wrap": {"active": 2, "keys": {"1": "<base64>", "2": "<base64>"}}, ...}}

Old versions stay until everything that used them has moved on (see `keys rotate`).
"""

import base64
import binascii
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.functional import SimpleLazyObject, empty

from core.files import write_atomically
from vault.errors import KeyringError

FORMAT = 1
KEY_BYTES = 32

# What each purpose's keys are for; none is ever used for another purpose.
PURPOSES = {
    "wrap": "wraps each record's data key (AES-256-GCM)",
    "blind": "blind indexes for equality search (HMAC-SHA256)",
    "receipt": "pepper for receipt code hashes (Argon2id)",
    "audit": "HMAC over each audit event",
    "sign": "Ed25519 seed for signing audit checkpoints",
}


@dataclass
class Keyring:
    purposes: dict[str, dict] = field(default_factory=dict)

    # -- reading ----------------------------------------------------------------------------

    def active_version(self, purpose: str) -> int:
        try:
            return int(self.purposes[purpose]["active"])
        except KeyError:
            raise KeyringError(f"the keyring has no active key for {purpose!r}")

    def key(self, purpose: str, version: int | None = None) -> bytes:
        """The key of `purpose` at `version` (the active one when not given)."""
        if version is None:
            version = self.active_version(purpose)
        try:
            encoded = self.purposes[purpose]["keys"][str(version)]
        except KeyError:
            raise KeyringError(f"the keyring has no {purpose!r} key version {version}")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, TypeError):
            raise KeyringError(f"the {purpose!r} key version {version} is not valid base64")
        if len(raw) != KEY_BYTES:
            raise KeyringError(f"the {purpose!r} key version {version} is not 256 bits")
        return raw

    def versions(self, purpose: str) -> list[int]:
        return sorted(int(v) for v in self.purposes.get(purpose, {}).get("keys", {}))

    # -- changing ---------------------------------------------------------------------------

    def add_version(self, purpose: str, *, activate: bool = True) -> int:
        entry = self.purposes.setdefault(purpose, {"active": 0, "keys": {}})
        version = max(self.versions(purpose), default=0) + 1
        entry["keys"][str(version)] = base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()
        if activate:
            entry["active"] = version
        return version

    def remove_version(self, purpose: str, version: int) -> None:
        if version == self.active_version(purpose):
            raise KeyringError("the active key cannot be removed")
        if version not in self.versions(purpose):
            raise KeyringError(f"the keyring has no {purpose!r} key version {version}")
        del self.purposes[purpose]["keys"][str(version)]

    @classmethod
    def generate(cls) -> "Keyring":
        keyring = cls()
        for purpose in PURPOSES:
            keyring.add_version(purpose)
        return keyring

    # -- storage ----------------------------------------------------------------------------

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "purposes": self.purposes}, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Keyring":
        try:
            data = json.loads(text)
        except ValueError:
            raise KeyringError("the keyring is not valid JSON")
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise KeyringError(f"the keyring is not in format {FORMAT}")
        keyring = cls(purposes=data.get("purposes") or {})
        missing = [p for p in PURPOSES if p not in keyring.purposes]
        if missing:
            raise KeyringError("the keyring lacks keys for: " + ", ".join(missing))
        return keyring

    def save(self, path: Path) -> None:
        """Write atomically with owner-only permissions, so a crash never leaves half a file;
        a folder made for it is owner-only too."""
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomically(path, self.to_json().encode())


def keyring_path() -> Path:
    return Path(settings.KEYRING_PATH)


def keyring_is_inline() -> bool:
    """True when the keyring comes from SHUGEL_KEYRING_JSON, which no command can rewrite."""
    return bool(os.environ.get("SHUGEL_KEYRING_JSON"))


def load_keyring() -> Keyring:
    inline = os.environ.get("SHUGEL_KEYRING_JSON")
    if inline:
        return Keyring.from_json(inline)
    path = keyring_path()
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise KeyringError(f"no keyring at {path}; run 'manage.py keys generate'")
    except OSError as error:
        raise KeyringError(f"the keyring at {path} cannot be read: {error.strerror}")
    return Keyring.from_json(text)


def _file_stamp():
    """What identifies this version of the keyring file: `Keyring.save` replaces the file,
    so each save gives a new inode."""
    if keyring_is_inline():
        return None
    try:
        found = keyring_path().stat()
    except OSError:
        return None
    return (found.st_ino, found.st_mtime_ns, found.st_size)


_loaded_stamp = None


def _cached():
    global _loaded_stamp
    # Taken before reading: a change in between only causes one more reload later.
    _loaded_stamp = _file_stamp()
    return load_keyring()


# Loaded once per process on first use; `reload_keyring()` after the file changes.
keyring = SimpleLazyObject(_cached)


def reload_keyring() -> None:
    keyring._wrapped = empty


def refresh_keyring() -> None:
    """Re-read the keyring if its file changed since this process read it.

    Called before anything new is wrapped or indexed (a stat, no read), so that a server
    running through `keys rotate` uses the new active key without a restart, and never
    wraps new data under a version that is about to be removed.
    """
    if keyring._wrapped is not empty and _file_stamp() != _loaded_stamp:
        reload_keyring()


def key_for(purpose: str, version: int | None = None) -> bytes:
    """A key from this process's keyring. When a version is unknown the keyring is read again
    once, because `keys rotate` in another process may have added it since this one loaded."""
    try:
        return keyring.key(purpose, version)
    except KeyringError:
        if version is None:
            raise
        reload_keyring()
        return keyring.key(purpose, version)
