"""Authenticated encryption of one value: the only place that calls AES-GCM.

A token is `version (1 byte) | nonce | ciphertext and tag`. Version 1 is AES-256-GCM with a
random 96-bit nonce and a 128-bit tag. The version byte is also bound into the associated
data, so a token cannot be passed off as another version. A later algorithm gets a new
version byte; `unseal` keeps reading the old ones.

Associated data (AAD) is not secret and not stored in the token: the caller rebuilds it from
where the token lives (model, field, row, key). A token moved anywhere else does not open.
"""

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


@lru_cache(maxsize=1024)
def _aes(key: bytes) -> AESGCM:
    # Building the cipher object costs as much as encrypting 2 KB; a record's fields and a
    # file's chunks reuse one.
    if len(key) != KEY_BYTES:
        raise ValueError("AES-256-GCM needs a 32-byte key")
    return AESGCM(key)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt `plaintext` under `key`, bound to `aad`; returns a version 1 token."""
    nonce = os.urandom(NONCE_BYTES)
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
