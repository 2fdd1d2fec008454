"""Signed checkpoints of the chain head, and their files outside the database.

A checkpoint says "event <seq> had HMAC <head_mac>", signed with the Ed25519 key of the
keyring's "sign" purpose. Its file goes to DATA_DIR/checkpoints/ and into each monthly report,
so a copy survives whatever happens to the database. The signed message is

    shugel-audit-checkpoint-1 US <seq> US <head_mac> US <made_at> US <sign_key_version>

(US = U+001F), which anyone can check against the public key in the file.
"""

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.utils.translation import gettext as _

from audit.chain import SEPARATOR, timestamp
from core.files import write_atomically
from vault.keyring import KeyringError, keyring

FORMAT = "shugel-audit-checkpoint-1"
FIELDS = ("seq", "head_mac", "made_at", "sign_key_version", "public_key", "signature")


def export_dir() -> Path:
    return Path(settings.DATA_DIR) / "checkpoints"


def signed_message(seq: int, head_mac: str, made_at: str, sign_key_version: int) -> bytes:
    return SEPARATOR.join([FORMAT, str(seq), head_mac, made_at, str(sign_key_version)]).encode()


def _private_key(version: int) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(keyring.key("sign", version))


def public_key_hex(version: int) -> str:
    return _public_key_of(keyring.key("sign", version))


@functools.lru_cache(maxsize=8)
def _public_key_of(seed: bytes) -> str:
    # Cached by the seed itself, so a reloaded keyring is never answered from an old one;
    # verification asks once per checkpoint, and there is one a minute while events come.
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def sign(*, seq: int, head_mac: str) -> dict:
    """The fields of a new checkpoint of the head (seq, head_mac), signed now."""
    version = keyring.active_version("sign")
    made_at = timestamp()
    signature = _private_key(version).sign(signed_message(seq, head_mac, made_at, version))
    return {
        "seq": seq,
        "head_mac": head_mac,
        "made_at": made_at,
        "sign_key_version": version,
        "public_key": public_key_hex(version),
        "signature": signature.hex(),
    }


@dataclass(frozen=True)
class Anchor:
    """A checkpoint as verification sees it, from the table or from an exported file."""

    seq: int
    head_mac: str
    made_at: str
    sign_key_version: int
    public_key: str
    signature: str
    source: str  # "checkpoint table" or the file's path

    def key(self) -> tuple:
        return (self.seq, self.head_mac, self.made_at, self.signature)

    def problem(self) -> str | None:
        """Why this checkpoint cannot be trusted, or None when its signature holds."""
        try:
            expected_public = public_key_hex(self.sign_key_version)
        except KeyringError:
            return _("it was signed with key version %(version)s, which the keyring lacks") % {
                "version": self.sign_key_version
            }
        if self.public_key != expected_public:
            return _("its public key is not the keyring's signing key")
        try:
            Ed25519PublicKey.from_public_bytes(bytes.fromhex(expected_public)).verify(
                bytes.fromhex(self.signature),
                signed_message(self.seq, self.head_mac, self.made_at, self.sign_key_version),
            )
        except (InvalidSignature, ValueError):
            return _("its signature does not match what it says")
        return None


def file_name(fields: dict) -> str:
    compact = fields["made_at"].replace("-", "").replace(":", "").replace(".", "")
    return f"checkpoint-{fields['seq']:012d}-{compact}.json"


def export(fields: dict, name: str) -> Path:
    """Write the checkpoint's file atomically (a crash never leaves half a file)."""
    folder = export_dir()
    folder.mkdir(parents=True, exist_ok=True)
    document = {"format": FORMAT, **{field: fields[field] for field in FIELDS}}
    write_atomically(folder / name, (json.dumps(document, indent=2) + "\n").encode(),
                     mode=0o644)
    return folder / name


class UnreadableCheckpoint(Exception):
    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = path, reason


def read_file(path: Path) -> Anchor:
    try:
        document = json.loads(path.read_text())
        if document.get("format") != FORMAT:
            raise UnreadableCheckpoint(path, _("it is not a checkpoint file"))
        return Anchor(
            seq=int(document["seq"]),
            head_mac=str(document["head_mac"]),
            made_at=str(document["made_at"]),
            sign_key_version=int(document["sign_key_version"]),
            public_key=str(document["public_key"]),
            signature=str(document["signature"]),
            source=str(path),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise UnreadableCheckpoint(path, _("it cannot be read"))


def exported_files(folder: Path | None = None) -> list[Path]:
    folder = folder or export_dir()
    return sorted(folder.glob("checkpoint-*.json")) if folder.is_dir() else []
