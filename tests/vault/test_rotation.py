"""Wrap key rotation: re-wraps data keys only, survives being stopped at any point, and
lets the old key go once nothing needs it; everything still decrypts."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.vault.conftest import reload, stored
from tests.vault.sealed_app.models import Attachment, Message
from vault import rotation
from vault.crypto import seal
from vault.errors import DecryptionError, KeyringError
from vault.files import open_encrypted, save_encrypted
from vault.keyring import key_for, keyring, load_keyring, reload_keyring
from vault.models import DataKey, wrap_aad
from vault.rotation import rewrap_data_keys

pytestmark = pytest.mark.django_db


class Stop(Exception):
    """Stands in for the process being killed."""


@pytest.fixture
def records(make_complaint):
    """Seven complaints, each with a message and an attachment sharing its data key."""
    made = []
    for n in range(7):
        complaint = make_complaint(
            reference=f"DG-2026-{n:04}", body=f"гомдол {n}", details={"n": n}
        )
        Message.objects.create(complaint=complaint, data_key=complaint.data_key, text=f"зурвас {n}")
        attachment = Attachment(
            complaint=complaint, data_key=complaint.data_key, filename=f"нотлох {n}.jpg",
            content_type="image/jpeg", size=0, stored_name="", sha256="",
        )
        upload = save_encrypted(
            io.BytesIO(f"зураг {n}".encode() * 100), data_key=complaint.data_key,
            context=attachment.file_context,
        )
        attachment.stored_name, attachment.size, attachment.sha256 = (
            upload.name, upload.size, upload.sha256
        )
        attachment.save()
        made.append(complaint)
    return made


def add_wrap_version(keyring_file) -> int:
    ring = load_keyring()
    version = ring.add_version("wrap")
    ring.save(keyring_file)
    reload_keyring()
    return version


def remove_wrap_version(keyring_file, version):
    ring = load_keyring()
    ring.remove_version("wrap", version)
    ring.save(keyring_file)
    reload_keyring()


def assert_everything_decrypts(complaints):
    for complaint in complaints:
        fresh = reload(complaint)
        n = int(fresh.reference[-4:])
        assert fresh.body.reveal() == f"гомдол {n}"
        assert fresh.details.reveal() == {"n": n}
        assert fresh.messages.get().text.reveal() == f"зурвас {n}"
        attachment = fresh.attachments.get()
        assert attachment.filename.reveal() == f"нотлох {n}.jpg"
        content = b"".join(open_encrypted(
            attachment.stored_name, data_key=attachment.data_key, context=attachment.file_context
        ))
        assert content == f"зураг {n}".encode() * 100


def wrap_versions():
    return sorted(DataKey.objects.values_list("wrap_version", flat=True))


def test_rotation_rewraps_data_keys_without_touching_records(records, keyring_file):
    before = {c.pk: stored(c, "body") for c in records}
    add_wrap_version(keyring_file)
    assert rewrap_data_keys(batch_size=3) == 7
    assert wrap_versions() == [2] * 7
    assert {c.pk: stored(c, "body") for c in records} == before
    remove_wrap_version(keyring_file, 1)
    assert_everything_decrypts(records)


def test_rotation_stopped_after_the_first_batch_resumes_when_run_again(records, keyring_file):
    add_wrap_version(keyring_file)

    def stop_after_first_batch(done, total):
        raise Stop

    with pytest.raises(Stop):
        rewrap_data_keys(batch_size=3, progress=stop_after_first_batch)
    assert wrap_versions() == [1, 1, 1, 1, 2, 2, 2]
    assert_everything_decrypts(records)  # half-way is a state that reads fine too
    assert rewrap_data_keys(batch_size=3) == 4
    remove_wrap_version(keyring_file, 1)
    assert_everything_decrypts(records)


def test_rotation_stopped_while_writing_a_batch_leaves_that_batch_untouched(
    records, keyring_file, monkeypatch
):
    add_wrap_version(keyring_file)
    store, calls = rotation._store, []

    def stop_half_way_through_the_second_batch(updates, **kwargs):
        calls.append(len(updates))
        if len(calls) == 2:
            store(updates[:1], **kwargs)
            raise Stop
        return store(updates, **kwargs)

    monkeypatch.setattr(rotation, "_store", stop_half_way_through_the_second_batch)
    with pytest.raises(Stop):
        rewrap_data_keys(batch_size=3)
    assert wrap_versions() == [1, 1, 1, 1, 2, 2, 2]
    monkeypatch.setattr(rotation, "_store", store)
    assert rewrap_data_keys(batch_size=3) == 4
    remove_wrap_version(keyring_file, 1)
    assert_everything_decrypts(records)


def test_the_keys_command_resumes_a_stopped_rotation_without_adding_another_key(
    records, monkeypatch
):
    rewrap = rotation.rewrap_data_keys

    def stop(done, total):
        raise Stop

    def stop_after_first_batch(**kwargs):
        return rewrap(**{**kwargs, "progress": stop})

    monkeypatch.setattr("vault.management.commands.keys.rewrap_data_keys", stop_after_first_batch)
    with pytest.raises(Stop):
        call_command("keys", "rotate", "--batch-size", "2", stdout=io.StringIO())
    assert load_keyring().versions("wrap") == [1, 2]
    monkeypatch.undo()

    out = io.StringIO()
    call_command("keys", "rotate", "--batch-size", "2", stdout=out)
    assert "Resuming an unfinished rotation: 5 data keys on v1" in out.getvalue()
    assert "Re-wrapping data keys: 5/5 (100%)" in out.getvalue()
    assert load_keyring().versions("wrap") == [1, 2]
    assert wrap_versions() == [2] * 7

    out = io.StringIO()
    call_command("keys", "remove", "--purpose", "wrap", "--version", "1", stdout=out)
    assert "Removed wrap key version 1" in out.getvalue()
    assert load_keyring().versions("wrap") == [2]
    assert_everything_decrypts(records)


def test_removing_an_old_wrap_key_is_refused_while_a_data_key_needs_it(records, keyring_file):
    add_wrap_version(keyring_file)
    with pytest.raises(CommandError, match="7 items still need wrap key version 1"):
        call_command("keys", "remove", "--purpose", "wrap", "--version", "1")
    assert load_keyring().versions("wrap") == [1, 2]


def test_the_active_key_cannot_be_removed(records):
    with pytest.raises(CommandError, match="active"):
        call_command("keys", "remove", "--purpose", "wrap", "--version", "1")


def test_shredded_data_keys_are_skipped_and_do_not_hold_the_old_key(records, keyring_file):
    records[0].shred()
    add_wrap_version(keyring_file)
    assert rewrap_data_keys() == 6
    call_command("keys", "remove", "--purpose", "wrap", "--version", "1", stdout=io.StringIO())
    assert DataKey.objects.get(pk=records[0].data_key_id).is_shredded
    assert_everything_decrypts(records[1:])


def test_a_data_key_shredded_during_rotation_stays_shredded(records, keyring_file):
    add_wrap_version(keyring_file)
    victim = DataKey.objects.get(pk=records[0].data_key_id)
    rewrapped = seal(key_for("wrap", 2), victim.unwrap(), wrap_aad(victim.uid, 2))
    victim.shred()
    assert rotation._store([(victim.pk, rewrapped)], from_version=1, to_version=2) == 0
    stored_key = DataKey.objects.get(pk=victim.pk)
    assert stored_key.is_shredded and bytes(stored_key.wrapped) == b""


def test_data_keys_made_meanwhile_by_processes_on_the_old_keyring_are_swept_up(
    records, keyring_file
):
    add_wrap_version(keyring_file)
    made = []

    def old_process_makes_a_data_key(done, total):
        if not made:
            raw = b"r" * 32
            made.append(DataKey(wrap_version=1))
            made[0].wrapped = seal(key_for("wrap", 1), raw, wrap_aad(made[0].uid, 1))
            made[0].save()

    assert rewrap_data_keys(batch_size=100, progress=old_process_makes_a_data_key) == 8
    assert DataKey.objects.get(pk=made[0].pk).unwrap() == b"r" * 32
    assert wrap_versions() == [2] * 8


def test_rotation_stops_before_changing_anything_when_a_wrap_key_is_missing(records):
    DataKey.objects.filter(pk=records[0].data_key_id).update(wrap_version=9)
    with pytest.raises(KeyringError, match="v9 \\(1 keys\\)"):
        rewrap_data_keys()
    assert wrap_versions() == [1] * 6 + [9]


def test_a_damaged_wrapped_key_stops_rotation_loudly(records, keyring_file):
    victim = DataKey.objects.get(pk=records[3].data_key_id)
    damaged = bytearray(victim.wrapped)
    damaged[-1] ^= 1
    DataKey.objects.filter(pk=victim.pk).update(wrapped=bytes(damaged))
    add_wrap_version(keyring_file)
    with pytest.raises(DecryptionError, match=str(victim.uid)):
        rewrap_data_keys(batch_size=2)


def test_progress_is_reported_after_each_batch(records, keyring_file):
    add_wrap_version(keyring_file)
    seen = []
    rewrap_data_keys(batch_size=3, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(3, 7), (6, 7), (7, 7)]


def test_new_data_keys_use_the_active_wrap_key(keyring_file):
    version = add_wrap_version(keyring_file)
    assert DataKey.objects.create_fresh().wrap_version == version == keyring.active_version("wrap")


def test_a_batch_size_below_one_is_refused():
    with pytest.raises(ValueError):
        rewrap_data_keys(batch_size=0)
    with pytest.raises(CommandError):
        call_command("keys", "rotate", "--batch-size", "0")
