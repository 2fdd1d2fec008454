"""Receipt codes: 16 random digits that let an anonymous reporter come back to a case.

A code is shown once and never stored. What is stored is an Argon2id hash of the code,
salted with the keyring's receipt pepper (so a stolen database alone cannot be searched for
codes), at no less than OWASP's minimum cost. The salt is the same for every code, which makes
the hash usable as a lookup key: a lookup costs one hash per pepper version whether or not
the code exists, so right and wrong codes take the same time.
"""

import hashlib
import secrets
import threading

from argon2.low_level import Type, hash_secret_raw
from django.conf import settings

from vault.keyring import keyring

CODE_DIGITS = 16
# OWASP's minimum for Argon2id: 19 MiB of memory, 2 passes, 1 lane. Never lower.
TIME_COST = 2
MEMORY_COST_KIB = 19 * 1024
PARALLELISM = 1


def new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))


def format_code(code: str) -> str:
    """Groups of four, as the reporter will read it aloud or write it down."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def clean_code(raw: str) -> str | None:
    """The 16 digits of what a person typed (spaces and dashes allowed), or None."""
    digits = "".join(ch for ch in (raw or "") if ch not in " -\u00a0\t")
    if len(digits) != CODE_DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    return digits


def hash_cost() -> tuple[int, int]:
    """Argon2id's time cost and memory (KiB): OWASP's minimum, except under the test
    settings, which name a cheaper pair as they name a fast password hasher."""
    return getattr(settings, "RECEIPT_HASH_COST", (TIME_COST, MEMORY_COST_KIB))


_SLOTS: dict[int, threading.BoundedSemaphore] = {}


def _slots(count: int) -> threading.BoundedSemaphore:
    """The process's hash slots (one set per setting, for the tests that change it). Two
    threads asking first both get the one that setdefault kept."""
    slots = _SLOTS.get(count)
    return slots if slots is not None else _SLOTS.setdefault(
        count, threading.BoundedSemaphore(count))


def _hash(code: str, version: int) -> str:
    pepper = keyring.key("receipt", version)
    salt = hashlib.sha256(b"shugel-receipt-salt|" + pepper).digest()[:16]
    time_cost, memory_kib = hash_cost()
    # At most settings.RECEIPT_HASHES_AT_ONCE hashes at once in this process: a request
    # beyond them waits its turn instead of filling another 19 MiB and sharing the cores.
    with _slots(settings.RECEIPT_HASHES_AT_ONCE):
        digest = hash_secret_raw(
            secret=code.encode() + pepper,
            salt=salt,
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=PARALLELISM,
            hash_len=32,
            type=Type.ID,
        )
    return f"v{version}:{digest.hex()}"


def receipt_hash(code: str) -> str:
    """The stored form of a new code, under the active pepper."""
    return _hash(code, keyring.active_version("receipt"))


def receipt_candidates(code: str | None) -> list[str]:
    """Every stored form `code` could have (one per pepper version). For a malformed code a
    dummy is hashed instead, so the cost does not reveal that the input was malformed."""
    versions = keyring.versions("receipt")
    text = code if code is not None else "0" * CODE_DIGITS + "x"
    hashes = [_hash(text, version) for version in versions]
    return hashes if code is not None else []
