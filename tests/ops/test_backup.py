"""`manage.py backup`: a manifest that tells the whole truth about what it holds, nothing of
the keyring and no plaintext; and `manage.py restore`, which checks every checksum before it
touches anything and restores only into a clean installation."""

import base64
import hashlib
import io
import json
import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from audit.models import AuditEvent, Checkpoint
from intake.models import Attachment, Complaint
from ops import restore
from ops.postgres import find_pg_client, pg_environment
from outbox.models import Outbox
from tests.ops.records import write_records
from tests.vault.canary import contains, leaks
from vault import escrow
from vault.keyring import Keyring, load_keyring, reload_keyring
from vault.models import DataKey

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def records(media):
    return write_records(4)


def backup(out) -> str:
    printed = io.StringIO()
    call_command("backup", "--out", str(out), stdout=printed)
    return printed.getvalue()


def manifest_of(folder) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def readable_database(folder) -> bytes:
    """The database copy as bytes a scan can read: SQLite's file as it is; a custom-format
    pg_dump (compressed) turned back into SQL text."""
    manifest = manifest_of(folder)
    path = folder / manifest["database"]["file"]
    if manifest["engine"] == "sqlite":
        return path.read_bytes()
    client, _ = find_pg_client("pg_restore", 1)
    return subprocess.run([client, "--file=-", str(path)], env=pg_environment(),
                          capture_output=True, check=True).stdout


def every_key_form(ring: Keyring) -> list[bytes]:
    forms = []
    for purpose, entry in ring.purposes.items():
        for version in entry["keys"]:
            raw = ring.key(purpose, int(version))
            forms += [raw, base64.b64encode(raw), raw.hex().encode(), raw.hex().upper().encode()]
    return forms


def test_the_manifest_names_every_file_table_migration_and_key_the_data_needs(
    records, media, tmp_path
):
    events_before = AuditEvent.objects.count()
    out = tmp_path / "backups" / "nightly"
    printed = backup(out)
    manifest = manifest_of(out)

    assert "Backup written to" in printed
    assert manifest["format"] == "shugel-backup-1" and manifest["engine"] == connection.vendor
    assert manifest["created_at"].endswith("Z") and manifest["name"] == "nightly"
    applied = {}
    for app, name in MigrationRecorder(connection).migration_qs.order_by("id").values_list(
            "app", "name"):
        applied[app] = name
    assert manifest["migrations"] == applied and "intake" in applied

    counts = manifest["counts"]
    assert counts["intake.complaint"] == Complaint.objects.count() == 4
    assert counts["intake.attachment"] == Attachment.objects.count() >= 4
    assert counts["outbox.outbox"] == Outbox.objects.count() == 1
    assert counts["audit.auditevent"] == events_before
    assert manifest["data_keys"] == {"live": DataKey.objects.live().count(),
                                     "shredded": DataKey.objects.shredded().count()}
    assert manifest["data_keys"]["shredded"] == 1

    ring = load_keyring()
    keys = manifest["keyring"]["purposes"]
    assert manifest["keyring"]["id"] == escrow.fingerprint(ring)["id"]
    assert keys["wrap"]["needed"] == {"1": DataKey.objects.live().count()}
    assert keys["audit"]["needed"] == {"1": events_before}
    assert keys["sign"]["needed"] == {"1": Checkpoint.objects.count()}
    assert keys["receipt"]["needed"] == {"1": Complaint.objects.exclude(
        receipt_hash=None).count()}
    assert keys["blind"]["needed"] == {"1": 4}
    for purpose, entry in keys.items():
        assert entry["key_ids"] == {"1": escrow.key_id(ring.key(purpose, 1))}

    listed = {entry["path"]: entry for entry in manifest["files"]}
    stored = {f"media/{p.relative_to(media).as_posix()}" for p in media.rglob("*") if p.is_file()}
    assert stored and stored <= set(listed)
    assert Outbox.objects.get().package_name in " ".join(listed)
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert on_disk == set(listed) | {"manifest.json", "manifest.json.sha256"}
    for path, entry in listed.items():
        data = (out / path).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (entry["bytes"], entry["sha256"])
    assert manifest["totals"] == {"files": len(listed),
                                  "bytes": sum(e["bytes"] for e in listed.values())}

    digest = hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()
    assert (out / "manifest.json.sha256").read_text() == f"{digest}  manifest.json\n"
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.object_type, event.object_id) == (
        "backup.written", "backup", "nightly")
    details = json.loads(event.details)
    assert details["manifest_sha256"] == digest and details["complaints"] == 4
    assert details["bytes"] == manifest["totals"]["bytes"]
    assert [p.name for p in out.parent.iterdir()] == ["nightly"]


def test_a_backup_holds_no_key_and_no_plaintext_of_any_complaint(
    records, tmp_path, _test_keyring
):
    out = tmp_path / "backup"
    backup(out)
    ring = load_keyring()
    forms = every_key_form(ring) + [_test_keyring.read_bytes()]
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) > 6
    database = readable_database(out)
    scanned = {str(p): p.read_bytes() for p in files} | {"database as SQL": database}
    for name, data in scanned.items():
        assert [f for f in forms if f in data] == [], f"key material in {name}"
        assert leaks(data) == [], name
    assert contains(database, records["control"]), "the scan sees what the database holds"
    assert len(records["canaries"]) > 30


def test_no_backup_is_left_behind_when_the_keyring_cannot_be_read(
    records, tmp_path, settings
):
    settings.KEYRING_PATH = tmp_path / "nowhere" / "keyring.json"
    with pytest.raises(CommandError, match="No backup was written.*no keyring"):
        backup(tmp_path / "backups" / "b1")
    assert list((tmp_path / "backups").iterdir()) == []


def test_a_backup_never_goes_into_a_folder_that_holds_something(records, tmp_path):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        backup(out)
    assert [p.name for p in out.iterdir()] == ["old.txt"]


@pytest.fixture
def made(records, tmp_path):
    out = tmp_path / "backup"
    backup(out)
    return out


def test_restore_refuses_a_file_that_does_not_match_its_checksum_and_names_it(made, media):
    attachment = Attachment.objects.order_by("pk").first()
    target = next(made.joinpath("media").rglob(attachment.stored_name))
    data = bytearray(target.read_bytes())
    data[-3] ^= 1
    target.write_bytes(bytes(data))
    relative = target.relative_to(made).as_posix()
    with pytest.raises(CommandError, match=f"{relative} does not match its checksum"):
        call_command("restore", str(made), stdout=io.StringIO())


def test_restore_refuses_a_changed_manifest_or_a_missing_file(made):
    manifest = made / "manifest.json"
    text = manifest.read_text()
    manifest.write_text(text.replace('"complaints"', '"complaints" ', 1) + " ")
    with pytest.raises(CommandError, match="manifest.json does not match its checksum"):
        call_command("restore", str(made), stdout=io.StringIO())
    manifest.write_text(text)
    database = made / manifest_of(made)["database"]["file"]
    database.unlink()
    with pytest.raises(CommandError, match=f"{database.name} is missing from the backup"):
        call_command("restore", str(made), stdout=io.StringIO())
    (made / "manifest.json.sha256").unlink()
    with pytest.raises(CommandError, match="manifest.json.sha256 is missing"):
        call_command("restore", str(made), stdout=io.StringIO())


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(made, media):
    before = (Complaint.objects.count(), AuditEvent.objects.count())
    files_before = sorted(p for p in media.rglob("*"))
    printed = io.StringIO()
    with pytest.raises(CommandError, match="the configured database is not empty"):
        call_command("restore", str(made), stdout=printed)
    assert "files match their checksums" in printed.getvalue()
    assert (Complaint.objects.count(), AuditEvent.objects.count()) == before
    assert sorted(p for p in media.rglob("*")) == files_before


def test_the_check_of_the_installation_itself_passes_with_its_own_keyring(made):
    printed = io.StringIO()
    # The backup's own event came after the snapshot: one more audit event than it holds.
    call_command("restore", str(made), "--check", stdout=printed)
    output = printed.getvalue()
    assert "The keyring matches the backup" in output
    assert "audit.auditevent: " in output and "Every record decrypts" in output
    assert "Audit trail intact" in output and "Restore check passed." in output


def test_a_different_keyring_is_told_apart_from_the_backups(made, tmp_path, settings):
    manifest = restore.verify_backup(made)
    assert restore.keyring_problems(manifest) == []
    other = tmp_path / "other" / "keyring.json"
    Keyring.generate().save(other)
    original = settings.KEYRING_PATH
    settings.KEYRING_PATH = other
    try:
        problems = restore.keyring_problems(manifest)
        assert "wrap key version 1 is not the key the data was sealed with" in problems
        assert len(problems) == 5
        printed = io.StringIO()
        with pytest.raises(CommandError) as refused:
            call_command("restore", str(made), "--check", stdout=printed)
        assert refused.value.returncode == 2
        assert "cannot be read without the keyring" in printed.getvalue()
        assert "keys escrow-import" in printed.getvalue()
    finally:
        settings.KEYRING_PATH = original
        reload_keyring()


def test_a_record_that_no_longer_decrypts_fails_the_check(made, media):
    attachment = Attachment.objects.exclude(data_key__shredded_at__isnull=False).first()
    stored = next(media.rglob(attachment.stored_name))
    shutil.copyfile(stored, stored.with_suffix(".bak"))
    data = bytearray(stored.read_bytes())
    data[-3] ^= 1
    stored.write_bytes(bytes(data))
    printed = io.StringIO()
    with pytest.raises(CommandError, match="1 records or files do not decrypt"):
        call_command("restore", str(made), "--check", stdout=printed)
    assert attachment.stored_name in printed.getvalue()


def test_a_keyring_or_earlier_backups_inside_the_media_folder_are_never_copied(
    settings, tmp_path
):
    """A careless set-up: the keyring and the backups both inside MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "data"
    stored = tmp_path / "data" / "vault" / "ab" / ("ab" + "0" * 30)
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"SHGF ciphertext")
    keyring = tmp_path / "data" / "keyring.json"
    load_keyring().save(keyring)
    settings.KEYRING_PATH = keyring
    backup(tmp_path / "data" / "backups" / "one")
    backup(tmp_path / "data" / "backups" / "two")
    listed = [entry["path"] for entry in manifest_of(tmp_path / "data" / "backups" / "two")
              ["files"]]
    assert f"media/vault/ab/{stored.name}" in listed
    assert [p for p in listed if "keyring" in p or "backups" in p] == []
