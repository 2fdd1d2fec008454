import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.services import SYSTEM, make_checkpoint, record
from vault.keyring import keyring, reload_keyring
from vault.rotation import key_usage

pytestmark = pytest.mark.django_db


def test_audit_and_signing_keys_in_use_cannot_be_removed(units):
    record(actor=SYSTEM, action="test.happened", unit=units["DG"])
    make_checkpoint()
    assert key_usage("audit", keyring.active_version("audit")) == 1
    assert key_usage("sign", keyring.active_version("sign")) == 1
    assert key_usage("audit", 99) == 0


def test_keys_remove_refuses_an_audit_key_that_events_need(units, tmp_path, settings):
    from vault.keyring import Keyring

    record(actor=SYSTEM, action="test.happened", unit=units["DG"])  # under version 1
    path = tmp_path / "keyring.json"
    ring = Keyring.from_json(keyring.to_json())
    ring.add_version("audit")
    ring.save(path)
    settings.KEYRING_PATH = path
    reload_keyring()
    try:
        with pytest.raises(CommandError):
            call_command("keys", "remove", "--purpose", "audit", "--version", "1")
    finally:
        reload_keyring()
