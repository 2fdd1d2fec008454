"""Key escrow: the keyring sealed under a passphrase, to keep apart from the backups.

A database backup never holds the keyring (docs/security.md), so a backup alone restores
nothing. The escrow file is the other half: the keyring's JSON encrypted with AES-256-GCM
under a key derived from a passphrase with scrypt. It is meant to live somewhere else than
the backups (a safe, an offline USB key) and its passphrase somewhere else again.

    {"format": "shugel-keyring-escrow-1",
     "created_at": "2026-11-28T13:40:01Z",
     "fingerprint": {"id": "…", "purposes": {"wrap": {"active": 1, "versions": {"1": "…"}}}},
     "kdf": {"name": "scrypt", "n": 131072, "r": 8, "p": 1, "length": 32, "salt": "<b64>"},
     "cipher": {"name": "AES-256-GCM", "nonce": "<b64>"},
     "ciphertext": "<b64>"}

Everything but the ciphertext is bound into the associated data, so a changed parameter or
fingerprint makes opening fail just as a wrong passphrase does. The fingerprint says which
keyring is inside without opening it: for each key version, HMAC-SHA256(key, "shugel-key-id"),
which identifies the key and reveals nothing of it. Backups carry the same key ids
(ops/backup.py), so a restore can tell whether the keyring at hand is the one it needs.
"""

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from core.files import write_atomically
from vault.keyring import PURPOSES, Keyring, KeyringError

FORMAT = "shugel-keyring-escrow-1"
MIN_PASSPHRASE = 12
# scrypt at N=2^17, r=8, p=1: 128 MiB and about half a second per try (OWASP's figure).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
# What an escrow file may ask for when it is opened: never weaker than 2^15, and never so
# costly that a doctored file ties up the machine.
_N_RANGE, _R_RANGE, _P_RANGE = (2**15, 2**20), (8, 16), (1, 16)
SALT_BYTES, NONCE_BYTES, KEY_BYTES = 16, 12, 32
KEY_ID_MESSAGE = b"shugel-key-id"


class EscrowError(Exception):
    """An escrow file cannot be written or opened; the message says why, in words for the
    operator, and never holds a key or the passphrase."""


@dataclass(frozen=True)
class Opened:
    keyring: Keyring
    fingerprint: dict
    created_at: str


# --- fingerprints ------------------------------------------------------------------------

def key_id(key: bytes) -> str:
    """Names one key without revealing it: HMAC-SHA256 under the key itself."""
    return hmac.new(key, KEY_ID_MESSAGE, hashlib.sha256).hexdigest()


def fingerprint(keyring: Keyring) -> dict:
    """Which keys a keyring holds: each purpose's active version and the id of every version,
    and one short id for the whole keyring (to read out and compare by eye)."""
    purposes = {}
    for purpose in sorted(PURPOSES):
        versions = {str(v): key_id(keyring.key(purpose, v)) for v in keyring.versions(purpose)}
        purposes[purpose] = {"active": keyring.active_version(purpose), "versions": versions}
    whole = hashlib.sha256(_canonical(purposes)).hexdigest()[:20]
    return {"id": "-".join(whole[i : i + 4] for i in range(0, len(whole), 4)),
            "purposes": purposes}


def describe(print_: dict) -> str:
    """One line for people: the short id and each purpose's versions."""
    parts = [
        f"{purpose} v{','.join(entry['versions'])} (active {entry['active']})"
        for purpose, entry in sorted(print_.get("purposes", {}).items())
    ]
    return f"{print_.get('id', '?')}: " + "; ".join(parts)


# --- sealing and opening -----------------------------------------------------------------

def check_passphrase(passphrase: str) -> None:
    if not isinstance(passphrase, str) or len(passphrase) < MIN_PASSPHRASE:
        raise EscrowError(f"the passphrase must be at least {MIN_PASSPHRASE} characters long")


def seal(keyring: Keyring, passphrase: str) -> bytes:
    """The escrow file's bytes for `keyring`, sealed under `passphrase`."""
    check_passphrase(passphrase)
    kdf = {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
           "length": KEY_BYTES, "salt": _b64(secrets.token_bytes(SALT_BYTES))}
    header = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "fingerprint": fingerprint(keyring),
        "kdf": kdf,
        "cipher": {"name": "AES-256-GCM", "nonce": _b64(secrets.token_bytes(NONCE_BYTES))},
    }
    key = _derive(passphrase, kdf)
    nonce = base64.b64decode(header["cipher"]["nonce"])
    sealed = AESGCM(key).encrypt(nonce, keyring.to_json().encode(), _aad(header))
    document = {**header, "ciphertext": _b64(sealed)}
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()


def read_header(data: bytes) -> dict:
    """The file's unencrypted part (format, date, fingerprint), checked for shape only:
    nothing in it is trustworthy until `open_escrow` has authenticated it."""
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise EscrowError("this is not a Shugel keyring escrow file (not JSON)") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise EscrowError(f"this is not a Shugel keyring escrow file (format {FORMAT})")
    for name, kind in (("kdf", dict), ("cipher", dict), ("fingerprint", dict),
                       ("ciphertext", str), ("created_at", str)):
        if not isinstance(document.get(name), kind):
            raise EscrowError(f"the escrow file is damaged: '{name}' is missing or malformed")
    return document


def open_escrow(data: bytes, passphrase: str) -> Opened:
    """The keyring inside an escrow file. Raises EscrowError for a wrong passphrase, a
    changed byte or a file that is not one; never returns a keyring it could not
    authenticate."""
    check_passphrase(passphrase)
    document = read_header(data)
    kdf, cipher = document["kdf"], document["cipher"]
    if kdf.get("name") != "scrypt" or cipher.get("name") != "AES-256-GCM":
        raise EscrowError("the escrow file uses an unknown key derivation or cipher")
    try:
        nonce = base64.b64decode(cipher["nonce"], validate=True)
        sealed = base64.b64decode(document["ciphertext"], validate=True)
    except (KeyError, TypeError, binascii.Error):
        raise EscrowError("the escrow file is damaged: its encoding is broken") from None
    if len(nonce) != NONCE_BYTES:
        raise EscrowError("the escrow file is damaged: bad nonce")
    header = {name: value for name, value in document.items() if name != "ciphertext"}
    key = _derive(passphrase, kdf)
    try:
        plaintext = AESGCM(key).decrypt(nonce, sealed, _aad(header))
    except InvalidTag:
        raise EscrowError(
            "wrong passphrase, or the escrow file was changed: it does not open"
        ) from None
    try:
        keyring = Keyring.from_json(plaintext.decode())
    except (KeyringError, UnicodeDecodeError) as error:
        raise EscrowError(f"the escrow file opens but holds no valid keyring: {error}") from None
    found = fingerprint(keyring)
    if found != document["fingerprint"]:
        raise EscrowError("the escrow file's fingerprint does not match the keyring inside")
    return Opened(keyring=keyring, fingerprint=found, created_at=document["created_at"])


def write_file(path: Path, data: bytes, *, overwrite: bool = False) -> None:
    """Write atomically with owner-only permissions; refuse an existing file unless told."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise EscrowError(f"{path} already exists; refusing to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, data)


# --- helpers -----------------------------------------------------------------------------

def _canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _aad(header: dict) -> bytes:
    return FORMAT.encode() + b"\x00" + _canonical(header)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _derive(passphrase: str, kdf: dict) -> bytes:
    try:
        n, r, p, length = (int(kdf["n"]), int(kdf["r"]), int(kdf["p"]), int(kdf["length"]))
        salt = base64.b64decode(kdf["salt"], validate=True)
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise EscrowError("the escrow file is damaged: bad key derivation parameters") from None
    inside = (
        _N_RANGE[0] <= n <= _N_RANGE[1] and n & (n - 1) == 0
        and _R_RANGE[0] <= r <= _R_RANGE[1] and _P_RANGE[0] <= p <= _P_RANGE[1]
        and length == KEY_BYTES and len(salt) >= SALT_BYTES
    )
    if not inside:
        raise EscrowError("the escrow file asks for key derivation parameters out of range")
    return Scrypt(salt=salt, length=length, n=n, r=r, p=p).derive(passphrase.encode())
