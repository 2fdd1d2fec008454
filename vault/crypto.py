"""Authenticated encryption of one value: the only place that calls AES-GCM.

A token is `version (1 byte) | nonce | ciphertext and tag`. Version 1 is AES-256-GCM with a
random 96-bit nonce and a 128-bit tag. The version byte is also bound into the associated
data, so a token cannot be passed off as another version. A later algorithm gets a new
version byte; `unseal` keeps reading the old ones.

Associated data (AAD) is not secret and not stored in the token: the caller rebuilds it from
where the token lives (model, field, row, key). A token moved anywhere else does not open.
"""

import itertools
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vault.errors import DecryptionError

V1_AES256_GCM = 1
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
# What sealing adds to the plaintext's length.
OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES

_V1 = bytes([V1_AES256_GCM])

# Nonces are drawn from the operating system's random source as before, but 256 at a time:
# one getrandom() call per seal cost a quarter of sealing a 2 KB body. Each nonce in a batch is
# handed out once (itertools.count hands out each number once, the GIL makes next() atomic),
# and a forked child throws its parent's batch away, so parent and child never share a nonce.
_BATCH = 256
_batch: tuple[bytes, "itertools.count[int]"] = (b"", itertools.count())


def _fresh_batch() -> bytes:
    global _batch
    randoms = os.urandom(NONCE_BYTES * _BATCH)
    # Number 0 is taken here; others see the new batch from number 1 on.
    _batch = (randoms, itertools.count(1))
    return randoms[:NONCE_BYTES]


def _forget_batch() -> None:
    global _batch
    _batch = (b"", itertools.count())


os.register_at_fork(after_in_child=_forget_batch)


@lru_cache(maxsize=1024)
def _aes(key: bytes) -> AESGCM:
    # Building the cipher object costs as much as encrypting 2 KB; a record's fields and a
    # file's chunks reuse one.
    if len(key) != KEY_BYTES:
        raise ValueError("AES-256-GCM needs a 32-byte key")
    return AESGCM(key)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt `plaintext` under `key`, bound to `aad`; returns a version 1 token."""
    # The next nonce of the batch, read once: a thread that finds the batch used up makes a
    # new one, and the numbers taken from the old one are never taken again.
    randoms, taken = _batch
    start = next(taken) * NONCE_BYTES
    if start < len(randoms):
        nonce = randoms[start : start + NONCE_BYTES]
    else:
        nonce = _fresh_batch()
    return _V1 + nonce + _aes(key).encrypt(nonce, plaintext, _V1 + aad)


def unseal(key: bytes, token: bytes, aad: bytes) -> bytes:
    """Decrypt a token made by `seal` with the same key and associated data.

    Raises DecryptionError for anything else: a changed byte, another key, another AAD, an
    unknown version or a token too short to be one. Never returns unauthenticated bytes.
    """
    if len(token) < OVERHEAD:
        raise DecryptionError("the token is too short to be one")
    version = token[0]
    if version != V1_AES256_GCM:
        raise DecryptionError(f"unknown token version {version}")
    try:
        return _aes(key).decrypt(token[1 : 1 + NONCE_BYTES], token[1 + NONCE_BYTES :], _V1 + aad)
    except InvalidTag:
        raise DecryptionError("authentication failed") from None
