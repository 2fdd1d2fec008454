"""Blind indexes: equality search over encrypted values without storing plaintext.

A blind index is HMAC-SHA256, under the keyring's "blind" key, of the kind and the value in
a normal form, written "v<version>:<hex>". Store `blind_index(kind, value)` beside the
encrypted value and look it up with every key version the keyring still has:

    Complaint.objects.filter(phone_index__in=blind_candidates("phone", typed_number))

so records indexed before a blind key rotation are still found. The index reveals which
records share a value (that is its purpose) and nothing else without the key.
"""

import hashlib
import hmac
import unicodedata

import phonenumbers
from django.db import models
from django.utils.translation import gettext_lazy as _

from vault.keyring import key_for, keyring, refresh_keyring

PHONE_REGION = "MN"


def _phone(value: str) -> str:
    try:
        number = phonenumbers.parse(value, PHONE_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise ValueError(_("This is not a phone number."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _text(value: str) -> str:
    # NFKC folds look-alike forms (full-width letters, ligatures); casefold after it may
    # produce decomposable characters, so normalise again. Runs of white space count as one.
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value).casefold())
    return " ".join(folded.split())


def _email(value: str) -> str:
    return _text(value).replace(" ", "")


NORMALISERS = {
    "phone": _phone,  # E.164, numbers without a country code read as Mongolian
    "name": _text,  # people's and organisations' names
    "email": _email,
}


def normalise(kind: str, value: str) -> str:
    """The form of `value` that is indexed: equal for what a person would call equal.

    Raises ValueError (with a message fit to show) when a phone number is not one, and
    KeyError for an unknown kind.
    """
    return NORMALISERS[kind](value)


def _digest(kind: str, normal: str, version: int) -> str:
    mac = hmac.new(key_for("blind", version), f"{kind}\x00{normal}".encode(), hashlib.sha256)
    return f"v{version}:{mac.hexdigest()}"


def blind_index(kind: str, value: str) -> str:
    """The index to store for `value`, under the active blind key."""
    refresh_keyring()
    return _digest(kind, normalise(kind, value), keyring.active_version("blind"))


def index_under(version: int, kind: str, value: str) -> str:
    """The index of `value` under blind key `version` (for re-indexing, vault/reindex.py)."""
    return _digest(kind, normalise(kind, value), version)


def subkey(label: str, version: int) -> bytes:
    """A key for `label` derived from blind key `version` (HMAC-SHA256), for keyed hashes
    that are not equality indexes (intake.likeness's similarity signatures). It rotates
    with the blind key: whatever is kept under it records `version` and is computed again
    under the new one (register_blind_material)."""
    return hmac.new(key_for("blind", version), b"subkey\x00" + label.encode(),
                    hashlib.sha256).digest()


# Other material kept under the blind key than BlindIndexField columns: `behind(active)`
# counts what is not yet under the active version, `redo(active, batch_size, progress)`
# computes it again (returns how many), `using(version)` counts what still needs `version`.
_materials: list[tuple] = []


def register_blind_material(behind, redo, using) -> None:
    """Teach `keys rotate --purpose blind` and `keys remove` about material kept under a
    sub-key of the blind key (see subkey)."""
    if all(entry[0] is not behind for entry in _materials):
        _materials.append((behind, redo, using))


def blind_materials() -> list[tuple]:
    return list(_materials)


def blind_candidates(kind: str, value: str) -> list[str]:
    """The index of `value` under every blind key version in the keyring, active first."""
    refresh_keyring()
    normal = normalise(kind, value)
    active = keyring.active_version("blind")
    versions = [active, *(v for v in reversed(keyring.versions("blind")) if v != active)]
    return [_digest(kind, normal, version) for version in versions]


class BlindIndexField(models.CharField):
    """Holds a blind index. `keys remove --purpose blind` looks into every such field before
    it lets a blind key version go.

    `source` names the sealed field the indexed value is kept in, so that the index can be
    computed again under a new blind key (vault/reindex.py): "reporter_phone" for a text
    field, "reporter.phone" for a key of a JSON field. It is not part of the schema and
    never appears in a migration.
    """

    description = "A blind index (HMAC) of an encrypted value"

    def __init__(self, *args, kind: str, source: str = "", **kwargs):
        if kind not in NORMALISERS:
            raise ValueError(f"unknown blind index kind {kind!r}")
        self.kind = kind
        self.source = source
        kwargs.setdefault("max_length", 80)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        if kwargs.get("max_length") == 80:
            del kwargs["max_length"]
        if kwargs.pop("db_index", False) is not True:
            kwargs["db_index"] = False
        if kwargs.pop("editable", True):
            kwargs["editable"] = True
        return name, path, args, kwargs
