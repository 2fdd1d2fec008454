"""Backups: a consistent snapshot of the database and the encrypted files, with a manifest.

A backup is a folder:

    manifest.json            what is inside, and how to check it (ops/restore.py)
    manifest.json.sha256     the manifest's checksum, in `sha256sum -c` form
    database.sqlite3         SQLite: a copy made with SQLite's online backup API
    database.pgdump          PostgreSQL: `pg_dump -Fc` of one exported snapshot
    media/vault/…            the encrypted attachments and referral packages, as stored
    checkpoints/…            the signed audit checkpoints (they hold public keys only)

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
import re
import secrets
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

from vault import escrow
from vault.blind import BlindIndexField
from vault.keyring import load_keyring

FORMAT = "shugel-backup-1"
MANIFEST = "manifest.json"
SIDECAR = "manifest.json.sha256"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
MEDIA = "media"
CHECKPOINTS = "checkpoints"
# The project's own apps, whose every table is counted in the manifest.
OWN_APPS = ("core", "org", "vault", "audit", "intake", "routing", "notify", "reporting", "ops")
# Stored values written as "v<version>:…" under a keyring purpose, besides blind indexes.
VERSIONED_COLUMNS = [("intake.Complaint", "receipt_hash", "receipt")]
_COPY_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore cannot go on; the message says why and what to do."""


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
            database, facts = _sqlite_snapshot(partial / SQLITE_FILE)
        elif connection.vendor == "postgresql":
            database, facts = _postgres_snapshot(partial / POSTGRES_FILE)
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


# --- the database ------------------------------------------------------------------------

def _sqlite_snapshot(target: Path) -> tuple[dict, dict]:
    """Copy the live database with SQLite's online backup API, in one step: one read
    transaction, so the copy is consistent even while the server writes (WAL mode)."""
    connection.ensure_connection()
    os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        # One self-contained file, with no write-ahead log beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        facts = _facts(copy.cursor(), "sqlite")
    finally:
        copy.close()
    return {"file": SQLITE_FILE, "sqlite_version": sqlite3.sqlite_version}, facts


def _postgres_snapshot(target: Path) -> tuple[dict, dict]:
    """pg_dump -Fc of a snapshot exported from a REPEATABLE READ transaction, which also
    gives the manifest's counts: the dump and the manifest describe the same moment."""
    server = server_major()
    client, version = find_pg_client("pg_dump", server)
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = False
        cursor = raw.cursor()
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        facts = _facts(cursor, "postgresql")
        done = subprocess.run(
            [client, "--format=custom", "--no-password", f"--snapshot={snapshot}",
             f"--file={target}"],
            env=pg_environment(), capture_output=True, text=True, timeout=6 * 3600,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()[-1500:]}")
        raw.rollback()
    finally:
        raw.close()
    return {"file": POSTGRES_FILE, "server_major": server, "pg_dump": version}, facts


def _facts(cursor, vendor: str) -> dict:
    """What the manifest says about the database, read through `cursor` (the snapshot's)."""
    q = connection.ops.quote_name
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    tables = {name for (name,) in cursor.fetchall()}

    migrations = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        for app, name in cursor.fetchall():
            migrations[app] = name

    counts = {}
    for label, table in counted_tables():
        if table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {q(table)}")  # noqa: S608
            counts[label] = cursor.fetchone()[0]

    from vault.models import DataKey

    keys_table = DataKey._meta.db_table
    live = shredded = 0
    if keys_table in tables:
        cursor.execute(
            f"SELECT COUNT(*) FROM {q(keys_table)} WHERE shredded_at IS NULL"  # noqa: S608
        )
        live = cursor.fetchone()[0]
        shredded = counts.get("vault.datakey", 0) - live
    return {"migrations": migrations, "counts": counts,
            "data_keys": {"live": live, "shredded": shredded},
            "key_usage": _key_usage(cursor, vendor, tables)}


def counted_tables() -> list[tuple[str, str]]:
    """(model label, table) of every table of Shugel's apps and of the user model."""
    found = {}
    models = [apps.get_model(settings.AUTH_USER_MODEL)]
    for app in OWN_APPS:
        models += apps.get_app_config(app).get_models(include_auto_created=True)
    for model in models:
        found[model._meta.label_lower] = model._meta.db_table
    return sorted(found.items())


def _key_usage(cursor, vendor: str, tables: set) -> dict[str, dict[str, int]]:
    """Which key versions of each purpose the data needs, and by how many rows."""
    from audit.models import AuditEvent, Checkpoint
    from vault.models import DataKey

    q = connection.ops.quote_name
    usage: dict[str, dict[str, int]] = {}

    def add(purpose, sql, table):
        if table not in tables:
            return
        cursor.execute(sql)
        for version, count in cursor.fetchall():
            try:
                version = str(int(version))
            except (TypeError, ValueError):
                continue  # a malformed value needs no key
            found = usage.setdefault(purpose, {})
            found[version] = found.get(version, 0) + count

    keys = DataKey._meta.db_table
    add("wrap", f"SELECT wrap_version, COUNT(*) FROM {q(keys)} "  # noqa: S608
        "WHERE shredded_at IS NULL GROUP BY wrap_version", keys)
    events = AuditEvent._meta.db_table
    add("audit", f"SELECT key_version, COUNT(*) FROM {q(events)} "  # noqa: S608
        "GROUP BY key_version", events)
    marks = Checkpoint._meta.db_table
    add("sign", f"SELECT sign_key_version, COUNT(*) FROM {q(marks)} "  # noqa: S608
        "GROUP BY sign_key_version", marks)
    for purpose, table, column in _versioned_columns():
        col = q(column)
        if vendor == "sqlite":
            version = f"substr({col}, 2, instr({col}, ':') - 2)"
        else:
            version = f"split_part(substr({col}, 2), ':', 1)"
        add(purpose, f"SELECT {version}, COUNT(*) FROM {q(table)} "  # noqa: S608
            f"WHERE {col} LIKE 'v%:%' GROUP BY 1", table)
    return usage


def _versioned_columns() -> list[tuple[str, str, str]]:
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, BlindIndexField):
                found.append(("blind", model._meta.db_table, field.column))
    for label, name, purpose in VERSIONED_COLUMNS:
        field = apps.get_model(label)._meta.get_field(name)
        found.append((purpose, field.model._meta.db_table, field.column))
    return found


# --- PostgreSQL's client programs --------------------------------------------------------

def server_major() -> int:
    connection.ensure_connection()
    version = connection.pg_version  # e.g. 150020
    return version // 10000 if version >= 100000 else version // 100


def find_pg_client(name: str, at_least: int) -> tuple[str, str]:
    """The path and version of `name` (pg_dump, pg_restore) of major version `at_least` or
    newer: SHUGEL_PG_BIN first, then Debian's per-version folders, then the PATH."""
    candidates = []
    if os.environ.get("SHUGEL_PG_BIN"):
        candidates.append(Path(os.environ["SHUGEL_PG_BIN"]) / name)
    candidates.append(Path(f"/usr/lib/postgresql/{at_least}/bin/{name}"))
    if shutil.which(name):
        candidates.append(Path(shutil.which(name)))
    seen = []
    for path in candidates:
        if not path.is_file() or not os.access(path, os.X_OK):
            continue
        try:
            out = subprocess.run([str(path), "--version"], capture_output=True, text=True,
                                 timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            continue
        match = re.search(r"(\d+)(?:\.(\d+))?", out)
        if match and int(match.group(1)) >= at_least:
            return str(path), out
        seen.append(f"{path} ({out or 'no version'})")
    if seen:
        raise BackupError(
            f"{name} is older than the PostgreSQL {at_least} server: " + ", ".join(seen)
            + f"; install postgresql-client-{at_least} or set SHUGEL_PG_BIN to its folder"
        )
    raise BackupError(
        f"{name} is not installed; install the PostgreSQL client (apt-get install "
        f"postgresql-client-{at_least}) or set SHUGEL_PG_BIN to the folder that holds it"
    )


_PG_OPTIONS = {
    "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT", "service": "PGSERVICE",
    "passfile": "PGPASSFILE", "options": "PGOPTIONS",
}


def pg_environment(database: dict | None = None) -> dict:
    """The environment for pg_dump and pg_restore: the connection in PG* variables, so no
    password appears on a command line."""
    database = database or connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                          ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        if database.get(key):
            env[variable] = str(database[key])
    for option, variable in _PG_OPTIONS.items():
        if option in (database.get("OPTIONS") or {}):
            env[variable] = str(database["OPTIONS"][option])
    return env


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
        shutil.copyfileobj(reader, writer, _COPY_CHUNK)
        writer.flush()
        os.fsync(writer.fileno())


def _entry(root: Path, path: Path) -> dict:
    size, digest = file_digest(path)
    return {"path": path.relative_to(root).as_posix(), "bytes": size, "sha256": digest}


def file_digest(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_COPY_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


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
