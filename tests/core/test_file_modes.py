"""The database and the keyring are readable by their owner only, from the moment they exist.

A fresh SQLite database (with its -wal and -shm files) and a fresh keyring are made in an
empty folder, under the usual umask 022 that would leave them readable by every account on
the machine; each file must be 0600 and each folder Shugel made 0700.
"""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.db.utils import ConnectionHandler

from core.environment import database_from_url
from tests.config.test_settings import run_manage

ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask():
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_a_new_sqlite_database_and_its_wal_are_owner_only(
    tmp_path, usual_umask, django_db_blocker
):
    folder = tmp_path / "data"
    database = folder / "shugel.sqlite3"
    connection = ConnectionHandler({"default": database_from_url(f"sqlite:///{database}")})
    # A database of its own, not the test database: pytest-django's guard is lifted for it.
    with django_db_blocker.unblock():
        try:
            with connection["default"].cursor() as cursor:
                cursor.execute("CREATE TABLE t (x TEXT)")
                cursor.execute("INSERT INTO t VALUES ('while the WAL is open')")
            wal, shm = (database.with_name(database.name + end) for end in ("-wal", "-shm"))
            assert wal.exists() and shm.exists()
            assert {path.name: mode(path) for path in (database, wal, shm)} == {
                database.name: 0o600, wal.name: 0o600, shm.name: 0o600}
        finally:
            connection.close_all()
    assert mode(folder) == 0o700


@pytest.mark.own_sqlite
@pytest.mark.slow
def test_migrate_makes_an_owner_only_database(tmp_path, usual_umask):
    data = tmp_path / "fresh"
    result = run_manage("migrate", "--noinput", env_overrides={"SHUGEL_DATA_DIR": str(data)},
                        tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert mode(data) == 0o700
    assert mode(data / "shugel.sqlite3") == 0o600


def test_keys_generate_makes_an_owner_only_keyring_in_an_owner_only_folder(
    tmp_path, usual_umask
):
    keyring = tmp_path / "keys" / "keyring.json"
    result = subprocess.run(
        [sys.executable, "manage.py", "keys", "generate"], cwd=ROOT,
        env={**os.environ, "SHUGEL_KEYRING": str(keyring), "SHUGEL_DATA_DIR": str(tmp_path)},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert mode(keyring) == 0o600
    assert mode(keyring.parent) == 0o700
