"""seal/unseal: AES-256-GCM tokens that open only with the same key and associated data."""

import base64
import os
import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from vault.crypto import NONCE_BYTES, OVERHEAD, V1_AES256_GCM, seal, unseal
from vault.errors import DecryptionError, VaultError

KEY = bytes(range(32))
AAD = b"shugel:v1|sealed_app.complaint|body|row|key"


@given(plaintext=st.binary(max_size=4096), aad=st.binary(max_size=200))
@example(plaintext=b"", aad=b"")
def test_a_sealed_token_opens_with_the_same_key_and_associated_data(plaintext, aad):
    token = seal(KEY, plaintext, aad)
    assert len(token) == len(plaintext) + OVERHEAD
    assert unseal(KEY, token, aad) == plaintext


def test_a_token_starts_with_its_version_and_a_fresh_random_nonce():
    first, second = seal(KEY, b"same", AAD), seal(KEY, b"same", AAD)
    assert first[0] == second[0] == V1_AES256_GCM
    assert first[1 : 1 + NONCE_BYTES] != second[1 : 1 + NONCE_BYTES]
    assert first != second


def test_the_plaintext_does_not_appear_in_the_token():
    plaintext = "Авлига нэхсэн ажилтны нэр".encode()
    assert plaintext not in seal(KEY, plaintext, AAD)


def test_every_single_flipped_bit_fails_loudly():
    token = seal(KEY, b"ten bytes!", AAD)
    for position in range(len(token)):
        for bit in range(8):
            damaged = bytearray(token)
            damaged[position] ^= 1 << bit
            with pytest.raises(DecryptionError):
                unseal(KEY, bytes(damaged), AAD)


def test_a_wrong_key_fails_loudly():
    token = seal(KEY, b"secret", AAD)
    with pytest.raises(DecryptionError):
        unseal(secrets.token_bytes(32), token, AAD)


def test_other_associated_data_fails_loudly():
    token = seal(KEY, b"secret", AAD)
    with pytest.raises(DecryptionError):
        unseal(KEY, token, AAD.replace(b"body", b"summary"))


def test_an_unknown_version_is_refused_not_guessed():
    token = bytearray(seal(KEY, b"secret", AAD))
    token[0] = 2
    with pytest.raises(DecryptionError, match="unknown token version 2"):
        unseal(KEY, bytes(token), AAD)


@pytest.mark.parametrize("length", [0, 1, OVERHEAD - 1])
def test_a_token_too_short_to_be_one_is_refused(length):
    with pytest.raises(DecryptionError, match="too short"):
        unseal(KEY, seal(KEY, b"", AAD)[:length], AAD)


def test_a_cut_off_token_fails_loudly():
    token = seal(KEY, b"a longer secret message", AAD)
    with pytest.raises(DecryptionError):
        unseal(KEY, token[:-1], AAD)


def test_decryption_errors_are_vault_errors_with_a_message_for_people():
    with pytest.raises(VaultError) as caught:
        unseal(KEY, b"\x01" + bytes(40), AAD)
    assert caught.value.user_message
    assert "authentication failed" in str(caught.value)


# Sealed by vault.crypto before nonces were drawn in batches, under KEY and the associated
# data a complaint's body had (row 6f1c…, data key 0b7e…): the token format is unchanged, so
# values stored before then open as they did.
EARLIER_AAD = (
    b"shugel:v1|sealed_app.complaint|body|6f1c3a52d0a84b5e9c2f7d41e8b06a93"
    b"|0b7e5f2c94d14a6b8e3c1d5f7a9b2c40"
)
EARLIER_TOKEN = base64.b64decode(
    "ATv9WI6SAAziMfcWNx7gAZla7H0VyJeGg1pUUFWpEJkJANVRSwZGEp5SE9ZDBvDXzLkxi/57CiERDj+7M6pGri/5"
    "bJmh7D2DYLmQPR+xZYOaf8ZmvoHTlRo+ZKyZHjFz6ol+dLO3oA28MA=="
)


def test_a_token_sealed_by_the_earlier_code_still_opens():
    plaintext = unseal(KEY, EARLIER_TOKEN, EARLIER_AAD)
    assert plaintext.decode() == "Үйлчилгээний танхимд хээл хахууль нэхсэн."


def nonce_of(token: bytes) -> bytes:
    return token[1 : 1 + NONCE_BYTES]


def test_nonces_never_repeat_across_batches_and_threads():
    def seal_many(count):
        return [nonce_of(seal(KEY, b"x", AAD)) for _ in range(count)]

    # Several batches' worth, taken by eight threads at once.
    with ThreadPoolExecutor(max_workers=8) as pool:
        nonces = [n for batch in pool.map(seal_many, [700] * 8) for n in batch]
    assert len(nonces) == 5600
    assert len(set(nonces)) == len(nonces)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_never_repeats_its_parents_nonces():
    seal(KEY, b"x", AAD)  # the parent holds a batch that is not used up
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: send ten nonces to the parent and leave at once
        try:
            os.write(writing, b"".join(nonce_of(seal(KEY, b"x", AAD)) for _ in range(10)))
        finally:
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading, "rb") as pipe:
        sent = pipe.read()
    os.waitpid(pid, 0)
    children = {sent[i : i + NONCE_BYTES] for i in range(0, len(sent), NONCE_BYTES)}
    parents = {nonce_of(seal(KEY, b"x", AAD)) for _ in range(10)}
    assert len(children) == 10
    assert not children & parents
