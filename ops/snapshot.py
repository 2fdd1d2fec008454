"""The database's part of a backup: a consistent copy (SQLite's online backup API, or
pg_dump of one exported snapshot), and what the manifest says about it, read from the same
moment: the migrations, every table's row count, and the key versions the data needs."""

import os
import sqlite3
import subprocess
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection

from audit.models import AuditEvent, Checkpoint
from ops.backup_format import POSTGRES_FILE, SQLITE_FILE, BackupError
from ops.postgres import find_pg_client, pg_environment, server_major
from vault.blind import BlindIndexField
from vault.models import DataKey

# The project's own apps, whose every table is counted in the manifest.
OWN_APPS = ("core", "org", "vault", "audit", "outbox", "intake", "routing", "lifecycle", "notify",
            "reporting", "ops")
# Stored values written as "v<version>:…" under a keyring purpose, besides blind indexes.
VERSIONED_COLUMNS = [("intake.Complaint", "receipt_hash", "receipt")]


def sqlite_snapshot(folder: Path) -> tuple[dict, dict]:
    """Copy the live database into `folder` with SQLite's online backup API, in one step:
    one read transaction, so the copy is consistent even while the server writes (WAL
    mode). Returns the manifest's database entry and the facts (see _facts)."""
    target = folder / SQLITE_FILE
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


def postgres_snapshot(folder: Path) -> tuple[dict, dict]:
    """pg_dump -Fc into `folder` of a snapshot exported from a REPEATABLE READ transaction,
    which also gives the manifest's counts: the dump and the manifest describe the same
    moment."""
    target = folder / POSTGRES_FILE
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
