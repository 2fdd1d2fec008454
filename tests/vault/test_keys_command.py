"""`manage.py keys`: status, rotate and remove for every purpose, refusing what would lose
data."""

import fcntl
import io

import pytest
from django.core.management import CommandError, call_command

from vault.blind import blind_index
from vault.keyring import Keyring, keyring, load_keyring
from vault.models import DataKey

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("keys", *args, stdout=out)
    return out.getvalue()


def test_status_shows_versions_and_data_keys_per_wrap_version_but_never_a_key(make_complaint):
    make_complaint()
    make_complaint().shred()
    output = run("status")
    assert "wrap     active 1  versions [1]" in output
    assert "v1: 1 live (active)" in output
    assert "shredded: 1" in output
    for purpose in ("wrap", "blind", "receipt", "audit", "sign"):
        assert load_keyring().purposes[purpose]["keys"]["1"] not in output


def test_status_points_out_an_unfinished_rotation(make_complaint, keyring_file):
    make_complaint()
    ring = load_keyring()
    ring.add_version("wrap")
    ring.save(keyring_file)
    output = run("status")
    assert "v1: 1 live\n" in output and "v2: 0 live (active)" in output
    assert "Rotation unfinished: 1 data keys" in output


def test_status_warns_about_data_keys_whose_wrap_key_is_gone(make_complaint):
    complaint = make_complaint()
    DataKey.objects.filter(pk=complaint.data_key_id).update(wrap_version=5)
    assert "v5: 1 live — MISSING FROM THE KEYRING" in run("status")


def test_rotating_the_wrap_key_re_wraps_and_says_what_to_remove(make_complaint):
    for _ in range(3):
        make_complaint()
    output = run("rotate")
    assert "Added wrap key version 2 and made it active" in output
    assert "Re-wrapped 3 data keys under wrap key version 2" in output
    assert "keys remove --purpose wrap --version 1" in output
    assert keyring.active_version("wrap") == 2


def test_rotating_the_blind_key_re_indexes_and_says_what_to_remove(make_complaint):
    make_complaint(reporter_phone="99112233", phone_index=blind_index("phone", "99112233"))
    output = run("rotate", "--purpose", "blind")
    assert "Added blind key version 2" in output and "still match" in output
    assert "Re-indexed 1 blind indexes under blind key version 2" in output
    assert "keys remove --purpose blind --version 1" in output


def test_an_old_blind_key_that_indexes_still_need_is_kept(make_complaint, keyring_file):
    make_complaint(reporter_phone="99112233", phone_index=blind_index("phone", "99112233"))
    ring = load_keyring()
    ring.add_version("blind")
    ring.save(keyring_file)
    with pytest.raises(CommandError, match="1 items still need blind key version 1"):
        run("remove", "--purpose", "blind", "--version", "1")


def test_an_unused_old_blind_key_can_be_removed(db):
    run("rotate", "--purpose", "blind")
    assert "Removed blind key version 1" in run("remove", "--purpose", "blind", "--version", "1")
    assert load_keyring().versions("blind") == [2]


@pytest.mark.parametrize("purpose", ["receipt", "audit", "sign"])
def test_keys_whose_use_the_vault_cannot_see_are_never_removed(purpose, monkeypatch):
    from vault import rotation

    # As for a purpose whose app registered no usage check.
    monkeypatch.delitem(rotation._usage_checks, purpose, raising=False)
    run("rotate", "--purpose", purpose)
    with pytest.raises(CommandError, match="so it is kept"):
        run("remove", "--purpose", purpose, "--version", "1")
    assert load_keyring().versions(purpose) == [1, 2]


def test_removing_a_version_that_does_not_exist_is_refused():
    with pytest.raises(CommandError, match="no wrap key version 3"):
        run("remove", "--purpose", "wrap", "--version", "3")


def test_a_keyring_from_the_environment_cannot_be_rotated(monkeypatch):
    monkeypatch.setenv("SHUGEL_KEYRING_JSON", Keyring.generate().to_json())
    with pytest.raises(CommandError, match="SHUGEL_KEYRING_JSON"):
        run("rotate")
    assert "active 1" in run("status")


def test_only_one_keys_command_runs_at_a_time(keyring_file):
    with open(keyring_file.with_name(keyring_file.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(CommandError, match="Another 'keys' command is running"):
            run("rotate")
    assert load_keyring().versions("wrap") == [1]


def test_generate_refuses_to_overwrite_a_keyring(keyring_file):
    before = keyring_file.read_text()
    with pytest.raises(CommandError, match="refusing to overwrite"):
        run("generate")
    assert "already present" in run("generate", "--if-missing")
    assert keyring_file.read_text() == before


def test_a_missing_keyring_is_reported_by_status(settings, tmp_path):
    settings.KEYRING_PATH = tmp_path / "none.json"
    with pytest.raises(CommandError, match="no keyring"):
        run("status")
