"""Restoring a backup (ops/backup.py) into a clean installation, and proving it readable.

In order, each step refusing before anything changes when it can:
1. every checksum: the manifest's own, then each file's (`verify_backup`);
2. the target: the configured database holds no tables and MEDIA_ROOT and the checkpoint
   folder hold no files (`refuse_unless_clean`);
3. the database (SQLite: the snapshot is copied; PostgreSQL: pg_restore) and the files, into
   a staging place (ops/staging.py), then the row counts against the manifest and, when the
   keyring is the backup's, the restore's own audit event, all in the staging place; only
   then is everything moved into place (`restore_staged`): a failure leaves the target as
   it was;
4. the keyring against the manifest's key ids (`keyring_problems`): the data needs the very
   keys it was sealed with, and the backup never holds them;
5. with the right keyring: every live data key unwraps and every sealed field and file
   opens (`check_records`), and the audit trail verifies.
"""

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from ops import staging
from ops.backup_format import (
    CHECKPOINTS,
    FORMAT,
    MANIFEST,
    MEDIA,
    SIDECAR,
    BackupError,
    file_digest,
)
from ops.postgres import find_pg_client, pg_environment, server_major
from ops.restore_event import record_restore, recorded
from ops.snapshot import counted_tables
from vault import escrow
from vault.errors import KeyringError, VaultError
from vault.fields import EncryptedJSONField, EncryptedTextField
from vault.keyring import keyring_is_inline, keyring_path, load_keyring, reload_keyring

FAILURES_SHOWN = 10


@dataclass
class RecordCheck:
    data_keys: int = 0
    shredded: int = 0
    fields: int = 0
    files: int = 0
    failures: list[str] = field(default_factory=list)
    failed: int = 0

    def fail(self, text: str) -> None:
        self.failed += 1
        if len(self.failures) < FAILURES_SHOWN:
            self.failures.append(text)


# --- 1. checksums ------------------------------------------------------------------------

def verify_backup(folder: Path) -> dict:
    """The manifest, once it and every file it lists match their checksums."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BackupError(f"{folder} is not a backup folder")
    try:
        sidecar = (folder / SIDECAR).read_text().split()
        data = (folder / MANIFEST).read_bytes()
    except FileNotFoundError as error:
        raise BackupError(f"{Path(error.filename).name} is missing: this is not a complete "
                          "backup") from None
    if len(sidecar) != 2 or sidecar[1] != MANIFEST:
        raise BackupError(f"{SIDECAR} is damaged")
    if hashlib.sha256(data).hexdigest() != sidecar[0]:
        raise BackupError(f"{MANIFEST} does not match its checksum in {SIDECAR}: refusing")
    try:
        manifest = json.loads(data)
    except ValueError:
        raise BackupError(f"{MANIFEST} is not valid JSON") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{MANIFEST} is not in format {FORMAT}")
    manifest["manifest_sha256"] = sidecar[0]  # names the backup in the restore's audit event
    for entry in manifest["files"]:
        path = _inside(folder, entry["path"])
        if not path.is_file():
            raise BackupError(f"{entry['path']} is missing from the backup: refusing")
        size, digest = file_digest(path)
        if size != entry["bytes"] or digest != entry["sha256"]:
            raise BackupError(f"{entry['path']} does not match its checksum: refusing")
    return manifest


def _inside(folder: Path, relative: str) -> Path:
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
        raise BackupError(f"the manifest names a file outside the backup: {relative}")
    return folder.joinpath(*parts)


def migration_advice(manifest: dict) -> None:
    """Refuse a backup made by a newer Shugel, whose schema this code does not know."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    unknown = [
        f"{app}.{name}" for app, name in sorted(manifest["migrations"].items())
        if app in loader.migrated_apps and (app, name) not in loader.disk_migrations
    ]
    if unknown:
        raise BackupError(
            "the backup was made by a newer version of Shugel (unknown migrations: "
            + ", ".join(unknown) + "); install that version, then restore"
        )


# --- 2. a clean target -------------------------------------------------------------------

def refuse_unless_clean(manifest: dict) -> None:
    if manifest["engine"] != connection.vendor:
        raise BackupError(
            f"the backup is of a {manifest['engine']} database but the configured database "
            f"is {connection.vendor}; set DATABASE_URL to match"
        )
    tables = _tables()
    if tables:
        raise BackupError(
            f"the configured database is not empty ({len(tables)} tables, e.g. "
            f"{sorted(tables)[0]}): restore only into a new, empty database"
        )
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        raise BackupError("cannot restore into an in-memory SQLite database")
    for folder in (Path(settings.MEDIA_ROOT), _checkpoint_dir()):
        found = next((p for p in folder.rglob("*") if p.is_file()), None) if folder.exists() \
            else None
        if found is not None and staging.STAGING in str(found.relative_to(folder)):
            raise BackupError(f"{folder} holds what a killed restore staged ({found}); "
                              "remove the .restoring-… folder and restore again")
        if found is not None:
            raise BackupError(f"{folder} is not empty: restore only into an empty folder")


def _tables() -> list[str]:
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        # Not created just to look at it.
        if not Path(connection.settings_dict["NAME"]).exists():
            return []
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def _checkpoint_dir() -> Path:
    return Path(settings.DATA_DIR) / "checkpoints"


# --- 3. the database and the files, staged -------------------------------------------------

@dataclass
class Restored:
    files: int
    audited: bool  # False when the restore event waits for the keyring (see record_restore)


def restore_staged(folder: Path, manifest: dict, *, by: str) -> Restored:
    """Restore the database and the files into a staging place (ops/staging.py), compare the
    row counts and record the restore there, and only then move everything into place. Any
    failure before that removes what was staged and leaves the target as it was."""
    place = staging.new_staging()
    # Asks the configured server its version: before the connection points at a database
    # that does not exist yet.
    client = None if place.is_sqlite else find_pg_client("pg_restore", server_major())[0]
    try:
        with staging.pointed_at(place.database):
            _stage_database(place, folder, manifest, client)
            copied = _stage_files(place, folder, manifest)
            differences = count_differences(manifest)
            if differences:
                lines = "\n  ".join(differences)
                raise BackupError(f"the restored database does not match the backup "
                                  f"(nothing was changed):\n  {lines}")
            audited = not keyring_problems(manifest) and not pending_migrations()
            if audited:
                record_restore(manifest, by=by)
        staging.promote(place)
    except BaseException:
        staging.discard(place)
        raise
    return Restored(files=copied, audited=audited)


def _stage_database(place: staging.Staging, folder: Path, manifest: dict,
                    client: str | None) -> None:
    source = _inside(folder, manifest["database"]["file"])
    if place.is_sqlite:
        staging.stage_sqlite(place, source)
        check = sqlite3.connect(place.database)
        try:
            check.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"the database in the backup cannot be opened: {error}") from None
        finally:
            check.close()
        return
    staging.stage_postgres(place, source, client, pg_environment())


def _stage_files(place: staging.Staging, folder: Path, manifest: dict) -> int:
    """Copy the encrypted files and checkpoint files into the staging folders of the places
    they belong in; returns how many."""
    places = {MEDIA: Path(settings.MEDIA_ROOT), CHECKPOINTS: _checkpoint_dir()}
    copied = 0
    for entry in manifest["files"]:
        top, *rest = PurePosixPath(entry["path"]).parts
        if top not in places or not rest:
            continue
        staging.stage_file(place, places[top], rest, _inside(folder, entry["path"]),
                           0o644 if top == CHECKPOINTS else 0o600)
        copied += 1
    return copied


def count_differences(manifest: dict) -> list[str]:
    """Tables whose row count differs from the backup's."""
    expected = dict(manifest["counts"])
    present = set(_tables())
    # The restore's own event is not in the backup.
    if "audit.auditevent" in expected:
        expected["audit.auditevent"] += recorded(manifest)
    differences = []
    with connection.cursor() as cursor:
        for label, table in counted_tables():
            if label not in expected:
                continue
            found = 0
            if table in present:
                quoted = connection.ops.quote_name(table)
                cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608
                found = cursor.fetchone()[0]
            if found != expected[label]:
                differences.append(f"{label}: {found} rows, the backup has {expected[label]}")
    return differences


def pending_migrations() -> list[str]:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


# --- 4. the keyring ----------------------------------------------------------------------

def keyring_problems(manifest: dict) -> list[str]:
    """Why the keyring at hand cannot read this backup's data; empty when it can."""
    reload_keyring()
    if not keyring_is_inline() and not keyring_path().exists():
        return [f"there is no keyring at {keyring_path()}"]
    try:
        keyring = load_keyring()
    except KeyringError as error:
        return [error.detail or str(error)]
    problems = []
    for purpose, entry in sorted(manifest["keyring"]["purposes"].items()):
        for version in entry["needed"]:
            try:
                key = keyring.key(purpose, int(version))
            except KeyringError:
                problems.append(f"{purpose} key version {version} is missing from the keyring")
                continue
            expected = entry["key_ids"].get(version)
            if expected is None:
                problems.append(f"the backup does not name {purpose} key version {version}")
            elif escrow.key_id(key) != expected:
                problems.append(
                    f"{purpose} key version {version} is not the key the data was sealed with"
                )
    return problems


# --- 5. every record -----------------------------------------------------------------------

def sealed_models() -> list[tuple[type, list[str]]]:
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields
                 if isinstance(f, EncryptedTextField | EncryptedJSONField)]
        if names:
            found.append((model, names))
    return found


def check_records() -> RecordCheck:
    """Unwrap every live data key and open every sealed field and file. Content is read
    into memory and dropped; nothing of it is shown or kept."""
    from vault.models import DataKey

    result = RecordCheck()
    for data_key in DataKey.objects.live().order_by("pk").iterator(chunk_size=500):
        try:
            data_key.unwrap()
            result.data_keys += 1
        except VaultError as error:
            result.fail(f"data key {data_key.uid}: {error.detail}")
    result.shredded = DataKey.objects.shredded().count()
    for model, names in sealed_models():
        rows = model._default_manager.select_related("data_key").order_by("pk")
        for row in rows.iterator(chunk_size=500):
            if row.data_key.is_shredded:
                continue
            for name in names:
                value = getattr(row, name)
                if value is None:
                    continue
                try:
                    value.reveal()
                    result.fields += 1
                except VaultError as error:
                    result.fail(f"{model._meta.label_lower} {row.uid} {name}: {error.detail}")
    for name, data_key, context, size, sha256 in _sealed_files():
        if data_key.is_shredded:
            continue
        _check_file(result, name, data_key, context, size, sha256)
    return result


def _sealed_files():
    """(stored name, data key, context, size, sha256) of every encrypted file the database
    names: intake's attachments, the outbox's packages and the promoted triage models."""
    from intake.models import Attachment
    from intake.services import attachment_context
    from outbox.models import Outbox
    from outbox.services import package_context
    from routing.models import TriageModel

    for item in Attachment.objects.select_related("data_key", "complaint").order_by("pk"):
        yield (item.stored_name, item.data_key, attachment_context(item.complaint),
               item.size, item.sha256)
    for item in Outbox.objects.select_related("data_key").order_by("pk"):
        yield (item.package_name, item.data_key, package_context(item.subject_reference),
               item.package_size, item.package_sha256)
    for model in TriageModel.objects.exclude(file_name="").select_related("data_key"):
        yield model.file_name, model.data_key, model.context, model.size, model.sha256


def _check_file(result: RecordCheck, name, data_key, context, size, sha256) -> None:
    from vault.files import open_encrypted

    digest, length = hashlib.sha256(), 0
    try:
        for chunk in open_encrypted(name, data_key=data_key, context=context):
            digest.update(chunk)
            length += len(chunk)
    except VaultError as error:
        result.fail(f"file {name}: {error.detail}")
        return
    if length != size or digest.hexdigest() != sha256:
        result.fail(f"file {name}: opens, but is not the file the database describes")
        return
    result.files += 1
