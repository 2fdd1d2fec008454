"""Many writers appending at once never fork the chain: no gap, no duplicate, no branch.

On PostgreSQL, threads in this process race for the chain head's row lock. SQLite's test
database lives in memory, so there several processes (with threads of their own) append to a
real database file, as the web server and the task worker do.
"""

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from audit import chain
from audit.models import AuditEvent
from audit.services import SYSTEM, record, verify_chain
from org.models import Unit
from tests.audit.conftest import MANAGE, manage


def assert_one_unbroken_chain(rows):
    """rows: (seq, prev_hash, mac) in sequence order."""
    assert [seq for seq, _, _ in rows] == list(range(1, len(rows) + 1))
    assert len({mac for _, _, mac in rows}) == len(rows)
    previous = chain.GENESIS
    for seq, prev_hash, mac in rows:
        assert prev_hash == previous, f"event {seq} does not follow event {seq - 1}"
        previous = mac


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads race on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_threads_appending_at_once_on_postgresql_never_fork_the_chain():
    threads, each = 8, 25
    start = threading.Barrier(threads)
    failures = []

    def append(thread: int):
        try:
            start.wait()
            for number in range(each):
                with transaction.atomic():
                    code = f"T{thread}N{number}"
                    unit = Unit.objects.create(code=code, kind=Unit.Kind.SUBUNIT, name_mn=code,
                                               name_en=code)
                    record(actor=SYSTEM, action="test.concurrent", target=unit,
                           details={"thread": thread, "n": number})
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=append, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    rows = list(AuditEvent.objects.order_by("seq").values_list("seq", "prev_hash", "mac"))
    assert len(rows) == threads * each == Unit.objects.count()
    assert_one_unbroken_chain(rows)
    for thread in range(threads):
        numbers = [e.details_dict["n"] for e in AuditEvent.objects.order_by("seq")
                   if e.details_dict["thread"] == thread]
        assert numbers == list(range(each))
    assert verify_chain().ok


# --- SQLite: several processes on one database file ---------------------------------------

APPENDER = """
import os, threading, time
from pathlib import Path
from django.db import connection, transaction
from audit.services import SYSTEM, record

gate = Path(os.environ["GATE"])
worker = int(os.environ["WORKER"])
(gate.parent / f"ready-{worker}").touch()
deadline = time.monotonic() + 60
while not gate.exists() and time.monotonic() < deadline:
    time.sleep(0.01)
failures = []

def append(thread):
    try:
        for number in range(int(os.environ["EACH"])):
            with transaction.atomic():
                record(actor=SYSTEM, action="test.concurrent",
                       details={"worker": worker, "thread": thread, "n": number})
    except Exception as error:
        failures.append(error)
    finally:
        connection.close()

threads = [threading.Thread(target=append, args=(t,)) for t in range(int(os.environ["THREADS"]))]
for t in threads: t.start()
for t in threads: t.join()
if failures:
    raise SystemExit(f"worker {worker}: {failures!r}")
"""


def append(env, database: Path, *, worker: int, threads: int, each: int):
    return subprocess.Popen(
        [sys.executable, str(MANAGE), "shell", "-c", APPENDER],
        env={**env, "GATE": str(database.parent / "go"), "WORKER": str(worker),
             "THREADS": str(threads), "EACH": str(each)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.mark.own_sqlite
@pytest.mark.slow
def test_processes_appending_at_once_on_a_sqlite_file_never_fork_the_chain(sqlite_file):
    database, env = sqlite_file
    processes, threads, each = 4, 3, 15
    gate = database.parent / "go"
    running = [append(env, database, worker=n, threads=threads, each=each)
               for n in range(processes)]
    deadline = time.monotonic() + 60
    while len(list(database.parent.glob("ready-*"))) < processes:
        assert time.monotonic() < deadline, "the appenders did not start"
        time.sleep(0.01)
    gate.touch()  # all at once
    for process in running:
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err

    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT seq, prev_hash, mac FROM audit_auditevent ORDER BY seq")
        rows = rows.fetchall()
    assert len(rows) == processes * threads * each
    assert_one_unbroken_chain(rows)

    verified = manage(env, "verify_audit")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"{len(rows)} events checked" in verified.stdout


@pytest.mark.own_sqlite
@pytest.mark.slow
def test_verify_audit_exits_with_one_on_a_damaged_database_file(sqlite_file):
    database, env = sqlite_file
    (database.parent / "go").touch()
    appender = append(env, database, worker=0, threads=1, each=5)
    assert appender.wait(timeout=120) == 0, appender.stderr.read()
    assert manage(env, "verify_audit").returncode == 0
    with sqlite3.connect(database) as db:
        db.execute("DROP TRIGGER audit_auditevent_no_update")
        db.execute("UPDATE audit_auditevent SET action = 'test.altered' WHERE seq = 3")
    verified = manage(env, "verify_audit")
    assert verified.returncode == 1
    assert "first bad sequence number: 3" in verified.stdout
    assert "damage: edited" in verified.stdout
