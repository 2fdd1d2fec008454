"""Backups: a consistent snapshot of the database and the encrypted files, with a manifest
(the folder's layout is ops/backup_format.py).

It never holds the keyring (SHUGEL_KEYRING or SHUGEL_KEYRING_JSON), nor any other key: the
manifest names the keys the data needs by an id that does not reveal them
(vault.escrow.key_id), so a restore can tell whether the keyring at hand is the right one.
The folder is written under a temporary name and renamed when complete, so a folder with the
final name is always a whole backup.

The database is read first and the files after: a file is written before the row that
names it commits, so every file the snapshot refers to is already on disk when the files
are copied. Files added meanwhile are copied too and are harmless.
"""

import hashlib
import json
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from ops.backup_format import (
    CHECKPOINTS,
    COPY_CHUNK,
    FORMAT,
    MANIFEST,
    MEDIA,
    SIDECAR,
    BackupError,
    file_digest,
)
from ops.snapshot import postgres_snapshot, sqlite_snapshot
from vault import escrow
from vault.keyring import load_keyring


@dataclass(frozen=True)
class Written:
    path: Path
    manifest: dict
    manifest_sha256: str


# --- the backup --------------------------------------------------------------------------

def default_folder() -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.DATA_DIR) / "backups" / stamp


def write_backup(out: Path | None = None) -> Written:
    """Write a complete backup to `out` (default DATA_DIR/backups/<UTC time>) and record it
    in the audit trail. Raises BackupError (or the OSError, DatabaseError or KeyringError
    that stopped it); a failed backup leaves nothing under `out`."""
    out = Path(out) if out is not None else default_folder()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(f"{out} already exists and is not empty; choose a new folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    # Read now: a backup whose data needs keys that cannot be named is no use.
    keyring = load_keyring()
    partial = out.parent / f".{out.name}.partial-{secrets.token_hex(4)}"
    partial.mkdir(mode=0o700)
    try:
        if connection.vendor == "sqlite":
            database, facts = sqlite_snapshot(partial)
        elif connection.vendor == "postgresql":
            database, facts = postgres_snapshot(partial)
        else:
            raise BackupError(f"backups of {connection.vendor} databases are not supported")
        files = [_entry(partial, partial / database["file"])]
        files += _copy_tree(Path(settings.MEDIA_ROOT), partial / MEDIA, besides=out.parent)
        files += _copy_tree(Path(settings.DATA_DIR) / "checkpoints", partial / CHECKPOINTS,
                            besides=out.parent)
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "name": out.name,
            "engine": connection.vendor,
            "database": database,
            "migrations": facts["migrations"],
            "counts": facts["counts"],
            "data_keys": facts["data_keys"],
            "keyring": _keyring_section(keyring, facts["key_usage"]),
            "files": files,
            "totals": {"files": len(files), "bytes": sum(f["bytes"] for f in files)},
        }
        text = (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        digest = hashlib.sha256(text.encode()).hexdigest()
        _write_synced(partial / MANIFEST, text.encode())
        _write_synced(partial / SIDECAR, f"{digest}  {MANIFEST}\n".encode())
        _sync_dir(partial)
        _publish(partial, out, manifest, digest)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return Written(path=out, manifest=manifest, manifest_sha256=digest)


def _publish(partial: Path, out: Path, manifest: dict, digest: str) -> None:
    """Rename the finished folder into place and record it, together: if the audit event
    cannot be written, the backup is not presented as made."""
    from audit.services import SYSTEM, record

    counts = manifest["counts"]
    with transaction.atomic():
        record(
            actor=SYSTEM, action="backup.written", object_type="backup",
            object_id=out.name[:64],
            details={
                "engine": manifest["engine"],
                "files": manifest["totals"]["files"],
                "bytes": manifest["totals"]["bytes"],
                "complaints": counts.get("intake.complaint", 0),
                "audit_events": counts.get("audit.auditevent", 0),
                "live_data_keys": manifest["data_keys"]["live"],
                "manifest_sha256": digest,
            },
        )
        os.rename(partial, out)
    _sync_dir(out.parent)


def _keyring_section(keyring, usage: dict) -> dict:
    """For each purpose: the versions the data needs (with how many things need each) and
    the id of every version of the keyring in use, never a key."""
    printed = escrow.fingerprint(keyring)
    purposes = {}
    for purpose, entry in printed["purposes"].items():
        purposes[purpose] = {
            "active": entry["active"],
            "key_ids": entry["versions"],
            "needed": dict(sorted(usage.get(purpose, {}).items(), key=lambda i: int(i[0]))),
        }
    return {"id": printed["id"], "purposes": purposes}


# --- files -------------------------------------------------------------------------------

def _is_key_material(path: Path) -> bool:
    """The keyring, its lock, its temporary and replaced copies: never in a backup, even when
    someone put the keyring inside the media folder."""
    keyring = Path(settings.KEYRING_PATH)
    try:
        same_folder = path.parent.resolve() == keyring.parent.resolve()
    except OSError:
        same_folder = False
    return path.name.startswith(".keyring-") or (
        same_folder and path.name.startswith(keyring.name)
    )


def _copy_tree(source: Path, target: Path, *, besides: Path) -> list[dict]:
    """Copy every finished file under `source` (temporary ones, which start with a dot, are
    left out), hashing as it goes; returns the manifest's entries. The folder of backups
    (`besides`) is never copied into a backup, should it lie inside `source`."""
    entries = []
    if not source.is_dir():
        return entries
    backup_root, backups = target.parent, besides.resolve()
    inside = backups.is_relative_to(source.resolve())
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if any(part.startswith(".") for part in relative.parts) or _is_key_material(path):
            continue
        if inside and path.resolve().is_relative_to(backups):
            continue
        if path.is_symlink() or not path.is_file():
            continue
        destination = target / relative
        destination.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            _copy_synced(path, destination)
        except FileNotFoundError:
            continue  # removed since it was listed (a failed upload cleaned up)
        entries.append(_entry(backup_root, destination))
    return entries


def _copy_synced(source: Path, destination: Path) -> None:
    with open(source, "rb") as reader, open(destination, "xb") as writer:
        os.fchmod(writer.fileno(), 0o600)
        shutil.copyfileobj(reader, writer, COPY_CHUNK)
        writer.flush()
        os.fsync(writer.fileno())


def _entry(root: Path, path: Path) -> dict:
    size, digest = file_digest(path)
    return {"path": path.relative_to(root).as_posix(), "bytes": size, "sha256": digest}


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "xb") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
