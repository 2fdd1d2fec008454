"""seal/unseal: AES-256-GCM tokens that open only with the same key and associated data."""

import secrets

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
