"""The keyring lives in a file (or an environment variable), never in the database, and
fails closed with a clear error."""

import base64
import json

import pytest

from vault.errors import VaultError
from vault.keyring import (
    PURPOSES,
    Keyring,
    KeyringError,
    key_for,
    keyring,
    load_keyring,
    reload_keyring,
)
from vault.models import DataKey


def test_keyring_errors_are_vault_errors():
    assert issubclass(KeyringError, VaultError)


def test_each_purpose_has_its_own_256_bit_key():
    keys = {purpose: keyring.key(purpose) for purpose in PURPOSES}
    assert all(len(key) == 32 for key in keys.values())
    assert len(set(keys.values())) == len(PURPOSES)


def test_a_missing_keyring_fails_closed_and_says_how_to_make_one(settings, tmp_path):
    settings.KEYRING_PATH = tmp_path / "nowhere.json"
    reload_keyring()
    with pytest.raises(KeyringError, match="keys generate"):
        key_for("wrap")


def test_a_key_version_the_keyring_lacks_is_a_keyring_error():
    with pytest.raises(KeyringError, match="no 'wrap' key version 9"):
        key_for("wrap", 9)


def test_a_version_added_by_another_process_is_found_without_a_restart(keyring_file):
    assert keyring.versions("wrap") == [1]
    on_disk = load_keyring()
    version = on_disk.add_version("wrap")
    on_disk.save(keyring_file)
    assert key_for("wrap", version) == on_disk.key("wrap", version)


def test_a_running_process_wraps_new_data_keys_with_a_key_rotated_in_elsewhere(
    keyring_file, db
):
    assert DataKey.objects.create_fresh().wrap_version == 1
    on_disk = load_keyring()
    on_disk.add_version("wrap")
    on_disk.save(keyring_file)  # by another process: this one is not told
    assert DataKey.objects.create_fresh().wrap_version == 2


def test_a_damaged_key_is_refused(keyring_file):
    data = json.loads(keyring_file.read_text())
    data["purposes"]["wrap"]["keys"]["1"] = "not base64!"
    keyring_file.write_text(json.dumps(data))
    with pytest.raises(KeyringError, match="not valid base64"):
        load_keyring().key("wrap", 1)
    data["purposes"]["wrap"]["keys"]["1"] = base64.b64encode(b"short").decode()
    keyring_file.write_text(json.dumps(data))
    with pytest.raises(KeyringError, match="not 256 bits"):
        load_keyring().key("wrap", 1)


def test_the_keyring_may_come_from_the_environment(monkeypatch):
    inline = Keyring.generate()
    monkeypatch.setenv("SHUGEL_KEYRING_JSON", inline.to_json())
    assert load_keyring().key("blind") == inline.key("blind")


def test_the_keyring_file_is_readable_by_its_owner_only(keyring_file):
    assert keyring_file.stat().st_mode & 0o077 == 0


def test_removing_a_version_that_does_not_exist_is_a_keyring_error():
    ring = Keyring.generate()
    ring.add_version("wrap")
    with pytest.raises(KeyringError):
        ring.remove_version("wrap", 7)
    with pytest.raises(KeyringError, match="active"):
        ring.remove_version("wrap", 2)
