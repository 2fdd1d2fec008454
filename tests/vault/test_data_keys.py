"""Data keys: one random key per record owner, stored only wrapped under the keyring."""

import pytest

from vault.errors import DecryptionError, KeyringError, ShreddedError
from vault.keyring import keyring, load_keyring
from vault.models import DataKey

pytestmark = pytest.mark.django_db


def test_a_fresh_data_key_is_random_and_stored_only_wrapped():
    first, second = DataKey.objects.create_fresh(), DataKey.objects.create_fresh()
    raw = first.unwrap()
    assert len(raw) == 32 and raw != second.unwrap()
    stored = DataKey.objects.get(pk=first.pk)
    assert raw not in bytes(stored.wrapped)
    assert stored.wrap_version == keyring.active_version("wrap")
    assert stored.unwrap() == raw


def test_a_data_key_whose_wrap_version_was_changed_does_not_unwrap(keyring_file):
    data_key = DataKey.objects.create_fresh()
    # Another version the keyring does have: the associated data still names version 1.
    ring = load_keyring()
    other = ring.add_version("wrap", activate=False)
    ring.save(keyring_file)
    DataKey.objects.filter(pk=data_key.pk).update(wrap_version=other)
    with pytest.raises(DecryptionError, match=str(data_key.uid)):
        DataKey.objects.get(pk=data_key.pk).unwrap()


def test_wrapped_keys_swapped_between_rows_do_not_unwrap():
    first, second = DataKey.objects.create_fresh(), DataKey.objects.create_fresh()
    DataKey.objects.filter(pk=first.pk).update(wrapped=second.wrapped)
    with pytest.raises(DecryptionError):
        DataKey.objects.get(pk=first.pk).unwrap()


def test_a_data_key_wrapped_by_a_version_missing_from_the_keyring_fails_closed():
    data_key = DataKey.objects.create_fresh()
    DataKey.objects.filter(pk=data_key.pk).update(wrap_version=42)
    with pytest.raises(KeyringError, match="version 42"):
        DataKey.objects.get(pk=data_key.pk).unwrap()


def test_a_shredded_data_key_is_gone_but_its_row_stays():
    data_key = DataKey.objects.create_fresh()
    data_key.shred()
    stored = DataKey.objects.get(pk=data_key.pk)
    assert stored.is_shredded and stored.shredded_at is not None
    assert bytes(stored.wrapped) == b""
    for instance in (data_key, stored):
        with pytest.raises(ShreddedError):
            instance.unwrap()


def test_shredding_twice_keeps_the_first_time():
    data_key = DataKey.objects.create_fresh()
    data_key.shred()
    first_time = data_key.shredded_at
    DataKey.objects.get(pk=data_key.pk).shred()
    assert DataKey.objects.get(pk=data_key.pk).shredded_at == first_time
