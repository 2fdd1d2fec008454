"""The test database is migrated once per source tree, not once per test process.

Migrating from nothing takes about six seconds of CPU, and `make check` starts four test
processes on a two-core machine. On SQLite the first process to get here migrates its
in-memory database as usual and copies it (SQLite's backup API) to a file under
var/test-databases/, named by a hash of the code it was built from; the others wait for it
and copy that file into their own in-memory database. A later run whose apps are unchanged
starts from the file at once.

On PostgreSQL the first process migrates its test database as usual and copies it to a
database of the server, `shugel_migrated_<hash>` (CREATE DATABASE ... TEMPLATE); each other
process, and each later run of the same code, creates its test database as a copy of that
one. Migrating costs about ten seconds a process there, and `make test` starts six.

The copy is the migrated database itself: tables, seed rows, the audit trail's triggers and
whatever post_migrate wrote, so a test cannot tell the two apart.

A transactional test ends, in Django, by emptying every table. On SQLite the test processes
copy the migrated database back over the test database instead (`_flush_by_copying`), which
brings back the migrations' seed rows too, so the order of the tests no longer matters. On
PostgreSQL Django empties them with one TRUNCATE of all 76 tables, which gives every table
and index a new file: 0.44 to 0.54 s a time on a two-core machine, and over a hundred tests
do it. The test processes empty them with DELETE instead (0.03 s on tables a test left
nearly empty), the triggers off for that transaction only (`flush_by_delete`).
"""

import fcntl
import hashlib
import os
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

import django
from django.conf import settings
from django.db import DatabaseError, connection

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "var" / "test-databases"
# What a migrated database depends on: every app's code and data, and Django itself.
SOURCES = ("core", "org", "vault", "audit", "notify", "outbox", "intake", "routing",
           "lifecycle", "reporting", "surveys", "plans", "outreach", "ops", "devtools",
           "config", "tests/vault/sealed_app")


def source_key() -> str:
    digest = hashlib.sha256(django.get_version().encode())
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@contextmanager
def _exclusive(path: Path):
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _save(template: Path) -> None:
    keep(connection.connection, template, older="migrated-*.sqlite3")


def keep(source: sqlite3.Connection, template: Path, *, older: str) -> None:
    """Copies the database `source` is connected to into the file `template`, whole or not
    at all, then removes the files in FOLDER matching `older` (made from other code)."""
    partial = template.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
    finally:
        target.close()
    os.replace(partial, template)
    for old in FOLDER.glob(older):
        if old != template:
            old.unlink(missing_ok=True)


def _restore(creation, template: Path, *, serialize: bool) -> str:
    """What create_test_db does for an in-memory database, with the copy for `migrate`."""
    name = creation._get_test_db_name()
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name
    connection.ensure_connection()
    source = sqlite3.connect(template)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    if serialize:
        connection._test_serialized_contents = creation.serialize_db_to_string()
    return name


# --- PostgreSQL -------------------------------------------------------------------------------

TEMPLATE_PREFIX = "shugel_migrated_"


def _pg_databases(cursor, prefix: str) -> list[str]:
    cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                   [prefix.replace("_", r"\_") + "%"])
    return [row[0] for row in cursor.fetchall()]


def _pg_save(creation, name: str, template: str) -> None:
    """Copies the migrated test database `name` to `template`, and drops older copies."""
    connection.close()  # the source of a copy may have no other session
    quote = connection.ops.quote_name
    # A cache, shared by every checkout that uses this server: a copy another run is
    # reading, or has just made, is left as it is.
    with creation._nodb_cursor() as cursor:
        for statement in [*(f"DROP DATABASE IF EXISTS {quote(old)}"
                            for old in _pg_databases(cursor, TEMPLATE_PREFIX) if old != template),
                          f"CREATE DATABASE {quote(template)} TEMPLATE {quote(name)}"]:
            try:
                cursor.execute(statement)
            except DatabaseError:
                pass
    connection.ensure_connection()


def _pg_restore(creation, template: str, *, serialize: bool) -> str:
    """What create_test_db does, with a copy of the template for `migrate`."""
    name = creation._get_test_db_name()
    quote = connection.ops.quote_name
    connection.close()
    with creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
        cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(template)}")
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name
    connection.ensure_connection()
    if serialize:
        connection._test_serialized_contents = creation.serialize_db_to_string()
    return name


def flush_by_delete(operations_class) -> None:
    """Makes PostgreSQL's flush DELETE from each table, with the triggers off (the foreign
    keys' and the audit trail's) for the flush's own transaction: `SET LOCAL` ends with it.
    Turning triggers off takes a superuser; with another role the flush stays TRUNCATE, and
    so does a flush that resets the sequences."""
    truncate = operations_class.sql_flush
    superuser: dict[str, bool] = {}

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if tables and not reset_sequences:
            alias = self.connection.alias
            if alias not in superuser:
                with self.connection.cursor() as cursor:
                    cursor.execute("SELECT current_setting('is_superuser') = 'on'")
                    superuser[alias] = cursor.fetchone()[0]
            if superuser[alias]:
                quote = self.quote_name
                return ["SET LOCAL session_replication_role = replica",
                        *(f"DELETE FROM {quote(table)}" for table in tables)]
        return truncate(self, style, tables, reset_sequences=reset_sequences,
                        allow_cascade=allow_cascade)

    operations_class.sql_flush = sql_flush


def drop_by_force(creation) -> None:
    """Makes the test database's DROP end the sessions still open on it (PostgreSQL 13 and
    later): a live server's request thread can still be closing its connection when the
    last test of a process has ended, and a plain DROP then fails ("is being accessed by
    other users") and leaves the database behind."""
    def _destroy_test_db(test_database_name, verbosity):
        with creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE {creation.connection.ops.quote_name(test_database_name)}"
                           " WITH (FORCE)")

    creation._destroy_test_db = _destroy_test_db


def _pg_migrate_once(creation) -> None:
    flush_by_delete(type(connection.ops))
    drop_by_force(creation)
    FOLDER.mkdir(parents=True, exist_ok=True)
    template = TEMPLATE_PREFIX + source_key()
    migrate = creation.create_test_db

    def create_test_db(verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        with _exclusive(FOLDER / "lock-postgresql"):
            with creation._nodb_cursor() as cursor:
                exists = template in _pg_databases(cursor, template)
            if exists:
                try:
                    return _pg_restore(creation, template, serialize=serialize)
                except DatabaseError:  # dropped or in use by another checkout's run just now
                    pass
            name = migrate(verbosity, autoclobber, serialize, keepdb)
            _pg_save(creation, name, template)
            return name

    creation.create_test_db = create_test_db


def migrate_once() -> None:
    """Makes the default connection's create_test_db copy a migrated database when one for
    this source tree exists, and leave one behind when it does not."""
    creation = connection.creation
    if connection.vendor == "postgresql":
        _pg_migrate_once(creation)
        return
    if connection.vendor != "sqlite" or not creation.is_in_memory_db(
            creation._get_test_db_name()):
        return
    FOLDER.mkdir(parents=True, exist_ok=True)
    template = FOLDER / f"migrated-{source_key()}.sqlite3"
    migrate = creation.create_test_db

    def create_test_db(verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        with _exclusive(FOLDER / "lock"):
            if not template.exists():
                name = migrate(verbosity, autoclobber, serialize, keepdb)
                _save(template)
            else:
                name = _restore(creation, template, serialize=serialize)
        _flush_by_copying(connection.connection.serialize())
        return name

    creation.create_test_db = create_test_db


def _flush_by_copying(migrated: bytes) -> None:
    """Makes a transactional test end by copying the migrated database back over the test
    database (SQLite's backup API, into the shared in-memory database every thread of the
    process sees) instead of emptying every table. The next test then starts from the
    migrated database itself, seed rows included (holidays, categories, the lexicon,
    schedules): a test that needs them may run after one that flushed, in any order, and
    `make check` can let an idle process take tests from a busy one (--dist worksteal)."""
    from django.test import TransactionTestCase

    flush = TransactionTestCase._fixture_teardown

    def _fixture_teardown(self):
        if self.available_apps is not None or self.serialized_rollback or any(
                name != connection.alias for name in self._databases_names(include_mirrors=False)):
            return flush(self)
        connection.ensure_connection()
        source = sqlite3.connect(":memory:")
        try:
            source.deserialize(migrated)
            when_unlocked(lambda: source.backup(connection.connection))
        finally:
            source.close()

    TransactionTestCase._fixture_teardown = _fixture_teardown


def when_unlocked(operation, *, tries: int = 100, pause: float = 0.05):
    """operation(), tried again while another connection to the shared in-memory database
    holds a table ("database table is locked"): a browser test's live server may still be
    answering the page's last request (a notification poll) as the test ends, when its
    teardown lifts the audit triggers and copies the migrated database back. Each step is
    whole again when repeated (DROP TRIGGER IF EXISTS, a full copy). After `tries` (5 s)
    the error stands."""
    for attempt in range(tries):
        try:
            return operation()
        except (sqlite3.OperationalError, DatabaseError) as error:
            if "is locked" not in str(error) or attempt == tries - 1:
                raise
            time.sleep(pause)
    return None
