"""No plaintext anywhere: canaries in every encrypted field and attachment must not appear
in the database files (SQLite with its WAL, or a pg_dump), the media folder, the logs or
the task queue. Each scan also finds a plain control value, so it is known to look."""

import json
import logging
import os
import secrets
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.sqlite_files import migrated_copy
from tests.vault.canary import contains, decoded_task_tables, leaks, write_records
from vault.keyring import Keyring

ROOT = Path(__file__).resolve().parents[2]


def scan_folder(folder: Path) -> tuple[int, list[str]]:
    files = [path for path in folder.rglob("*") if path.is_file()]
    found = [f"{path}: {leak}" for path in files for leak in leaks(path.read_bytes())]
    return len(files), found


def child_environment(workdir: Path) -> dict:
    own = ("SHUGEL_", "DATABASE_URL", "REDIS_URL", "DJANGO_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(own)}
    env.update({
        "SHUGEL_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SHUGEL_DATA_DIR": str(workdir),
        "DATABASE_URL": f"sqlite:///{workdir / 'db' / 'shugel.sqlite3'}",
        "SHUGEL_KEYRING": str(workdir / "keys" / "keyring.json"),
        "SHUGEL_MEDIA_ROOT": str(workdir / "media"),
        "SHUGEL_LOG_LEVEL": "DEBUG",
    })
    return env


def wait_for_ready(child, log: Path, seconds=120):
    ready, _, _ = select.select([child.stdout], [], [], seconds)
    line = child.stdout.readline() if ready else b""
    assert line == b"READY\n", f"the writer did not get ready:\n{log.read_text()[-3000:]}"


def files_while_open(tmp_path: Path, argv: list[str]) -> tuple[dict[str, bytes], Path, Path]:
    """Runs the writer `argv` (a Python child that prints READY, then waits for a line) on a
    new SQLite database under tmp_path/db; returns the database folder's files as they were
    while the writer held them open (its WAL included), the database's path and the log."""
    (tmp_path / "db").mkdir()
    Keyring.generate().save(tmp_path / "keys" / "keyring.json")
    database = migrated_copy(tmp_path / "db" / "shugel.sqlite3")  # the writer migrates it too
    wal = database.with_name(database.name + "-wal")
    log = tmp_path / "writer.log"
    with open(log, "wb") as log_file:
        child = subprocess.Popen(
            [sys.executable, *argv], cwd=ROOT, env=child_environment(tmp_path),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log_file,
        )
        try:
            wait_for_ready(child, log)
            # While the writer still holds the database open, its WAL is on disk.
            assert wal.exists() and wal.stat().st_size > 0
            while_open = {path.name: path.read_bytes() for path in database.parent.iterdir()}
        finally:
            child.communicate(b"\n", timeout=60)
    assert child.returncode == 0, log.read_text()[-3000:]
    return while_open, database, log


@pytest.mark.own_sqlite
@pytest.mark.slow
def test_no_canary_reaches_sqlite_and_its_wal_the_media_folder_the_logs_or_the_task_queue(
    tmp_path,
):
    while_open, database, log = files_while_open(
        tmp_path, ["-m", "tests.vault.canary_child", str(tmp_path)])
    wal = database.with_name(database.name + "-wal")
    report = json.loads((tmp_path / "report.json").read_text())
    control = report["control"]
    assert len(report["canaries"]) >= 40 * 10

    for name, data in while_open.items():
        assert leaks(data) == [], name
    assert contains(while_open[database.name] + while_open[wal.name], control)
    after_close = database.read_bytes()
    assert leaks(after_close) == []
    assert contains(after_close, control)

    files, found = scan_folder(tmp_path / "media")
    assert files == report["attachments"] == 40
    assert found == []

    logged = log.read_bytes()
    assert leaks(logged) == []
    assert contains(logged, control), "the SQL log is on, so the plain reference shows"

    tasks = report["tasks"]
    assert tasks["queued"] == 40 and tasks["results"] == 14
    assert leaks(tasks["text"].encode()) == []
    assert control in tasks["text"]


def pg_dump(settings_dict) -> bytes:
    command = shutil.which("pg_dump")
    assert command, "pg_dump is needed to scan PostgreSQL (apt-get install postgresql-client)"
    env = {**os.environ, "PGPASSWORD": settings_dict.get("PASSWORD") or ""}
    args = [command, "--no-owner", "--dbname", settings_dict["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args += [option, str(settings_dict[key])]
    return subprocess.run(args, env=env, capture_output=True, check=True, timeout=120).stdout


@pytest.mark.django_db(transaction=True)
def test_no_canary_reaches_a_postgresql_dump_the_media_folder_the_logs_or_the_task_queue(
    settings, tmp_path, caplog
):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: run with DATABASE_URL=postgres://… (CI does) to scan a pg_dump"
        )
    settings.MEDIA_ROOT = tmp_path / "media"
    control = f"control-{secrets.token_hex(8)}"
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    with CaptureQueriesContext(connection):
        report = write_records(12, control=control)
        tasks = decoded_task_tables()
    assert len(report["canaries"]) >= 12 * 10

    dump = pg_dump(connection.settings_dict)
    assert leaks(dump) == []
    assert contains(dump, control)

    files, found = scan_folder(tmp_path / "media")
    assert files == report["attachments"] == 12
    assert found == []

    logged = caplog.text.encode()
    assert leaks(logged) == []
    assert contains(logged, control)

    assert tasks["queued"] == 12 and tasks["results"] == 4
    assert leaks(tasks["text"].encode()) == []
    assert control in tasks["text"]
