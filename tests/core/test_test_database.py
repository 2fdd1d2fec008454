"""A transactional test on SQLite ends with the migrated database copied back
(tests/dbtemplate.py), so that `make check` can run the suite's tests in any order."""

import os
import subprocess
import sys

import pytest
from django.db import IntegrityError, connection
from django.test import TransactionTestCase

from audit import triggers
from audit.models import AuditEvent
from audit.services import SYSTEM, record
from org.models import Unit
from routing.models import Category, TriageTerm
from tests.sqlite_files import ROOT, migrated_copy

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="on PostgreSQL a transactional test still ends by emptying the tables, and "
           "make test hands each process its tests in the order they were collected")


@pytest.mark.django_db(transaction=True)
def test_the_end_of_a_transactional_test_brings_back_the_migrated_database():
    seeded = sorted(Category.objects.values_list("code", flat=True))
    lexicon = TriageTerm.objects.count()
    assert seeded and lexicon, "the migrations seed the categories and the lexicon"
    Unit.objects.create(code="TMP", kind=Unit.Kind.DEPARTMENT, name_mn="Түр", name_en="Temporary")
    TriageTerm.objects.all().delete()
    Category.objects.filter(code=seeded[0]).update(name_en="Changed")
    record(action="test.marker", actor=SYSTEM)
    triggers.remove(connection)  # as the suite's fixture does before the flush

    # What pytest-django does at the end of a transactional test, on a test case of its own.
    ended = type("Ended", (TransactionTestCase,), {"runTest": lambda self: None})()
    ended._fixture_teardown()

    assert sorted(Category.objects.values_list("code", flat=True)) == seeded
    assert TriageTerm.objects.count() == lexicon
    assert Category.objects.get(code=seeded[0]).name_en != "Changed"
    assert not Unit.objects.filter(code="TMP").exists()
    assert not AuditEvent.objects.filter(action="test.marker").exists()
    assert triggers.installed(connection)
    record(action="test.marker", actor=SYSTEM)
    with pytest.raises(IntegrityError, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'test.changed'")


def test_the_teardown_waits_for_a_live_server_still_reading_and_gives_up_in_the_end():
    """A browser test's live server may still be answering a page's last request as the
    test ends; lifting the audit triggers and the copy back wait for it instead of failing
    the test at teardown (CI failed once on each)."""
    import sqlite3
    import threading

    from tests.dbtemplate import when_unlocked

    uri = "file:copy-back-lock?mode=memory&cache=shared"
    target = sqlite3.connect(uri, uri=True, check_same_thread=False)
    target.execute("CREATE TABLE t (x)")
    target.execute("INSERT INTO t VALUES ('test')")
    target.execute("CREATE TRIGGER t_kept AFTER UPDATE ON t BEGIN SELECT 1; END")
    target.commit()
    reader = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
    source = sqlite3.connect(":memory:")
    source.execute("CREATE TABLE t (x)")
    source.execute("INSERT INTO t VALUES ('migrated')")
    source.commit()
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT x FROM t").fetchone()  # holds the table, as a query under way
        lift = lambda: target.execute("DROP TRIGGER IF EXISTS t_kept")  # noqa: E731
        for step in (lift, lambda: source.backup(target)):
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                when_unlocked(step, tries=3, pause=0.01)
        threading.Timer(0.2, lambda: reader.execute("COMMIT")).start()
        when_unlocked(lift)
        when_unlocked(lambda: source.backup(target))
        assert target.execute("SELECT x FROM t").fetchall() == [("migrated",)]
    finally:
        for each in (source, reader, target):
            each.close()


@pytest.mark.slow
def test_an_installations_copied_database_is_migrated_to_the_last_migration(tmp_path):
    """tests/sqlite_files.py: the copy an installation starts from has nothing left to
    apply, is its owner's alone, and leaves no journal of an earlier file beside it."""
    path = tmp_path / "data" / "shugel.sqlite3"
    path.parent.mkdir()
    path.with_name("shugel.sqlite3-wal").write_bytes(b"an earlier file's journal")
    assert migrated_copy(path) == path
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert not path.with_name("shugel.sqlite3-wal").exists()
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("SHUGEL_", "DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(SHUGEL_ENV="development", SHUGEL_DATA_DIR=str(path.parent),
               DATABASE_URL=f"sqlite:///{path}")
    checked = subprocess.run([sys.executable, "manage.py", "migrate", "--check"], cwd=ROOT,
                             env=env, capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
