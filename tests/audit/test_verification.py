"""How verification runs: streaming with progress, several processes on long chains, and
what it says when it cannot run at all."""

import io

import pytest
from django.db import connection
from django.utils import translation

from audit import verification
from audit.management.commands.verify_audit import Progress
from audit.services import SYSTEM, make_checkpoint, record, verify_chain
from tests.audit.conftest import Tamperer, manage, verify_audit


@pytest.mark.django_db
def test_progress_is_reported_as_the_table_streams_in(trail, monkeypatch):
    monkeypatch.setattr(verification, "CHUNK", 5)
    seen = []
    result = verify_chain(progress=lambda checked, total: seen.append((checked, total)))
    assert result.ok and result.checked == 12
    assert seen == [(5, 12), (10, 12), (12, 12)]


def test_the_command_prints_progress_lines_no_more_than_it_should():
    stream = io.StringIO()
    progress = Progress(stream, interval=0)
    with translation.override("en"):  # the command's language (--language)
        progress(250_000, 1_000_000)
    assert "checked 250,000 of 1,000,000 events (25%)" in stream.getvalue()
    quiet = io.StringIO()
    Progress(quiet, interval=60)(10, 20)
    assert quiet.getvalue() == ""


@pytest.mark.django_db
def test_an_unreadable_keyring_is_exit_status_two_not_damage(trail, use_keyring):
    use_keyring(None)
    status, output = verify_audit()
    assert status == 2
    assert "cannot verify" in output


@pytest.mark.django_db
def test_an_empty_trail_is_intact(db):
    result = verify_chain()
    assert (result.ok, result.checked, result.last_seq) == (True, 0, 0)


@pytest.mark.django_db
def test_parallel_checking_is_not_tried_inside_a_transaction(trail, monkeypatch):
    monkeypatch.setattr(verification, "PARALLEL_MIN_EVENTS", 1)
    monkeypatch.setattr(verification, "_parallel", lambda *args: pytest.fail("forked"))
    assert verify_chain(jobs=4).ok


# --- several processes --------------------------------------------------------------------

@pytest.fixture
def parallel(monkeypatch):
    """Verification in two processes from 50 events on, 25 to a range; counts its results."""
    monkeypatch.setattr(verification, "PARALLEL_MIN_EVENTS", 50)
    monkeypatch.setattr(verification, "MIN_RANGE_EVENTS", 25)
    outcomes = []
    original = verification._parallel

    def spy(*args):
        outcome = original(*args)
        outcomes.append(outcome)
        return outcome

    monkeypatch.setattr(verification, "_parallel", spy)
    return outcomes


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQLite file test covers it")
@pytest.mark.django_db(transaction=True)
def test_several_processes_verify_a_long_chain_like_one(parallel):
    for number in range(60):
        record(actor=SYSTEM, action="test.step", details={"n": number})
    make_checkpoint()
    for number in range(60, 120):
        record(actor=SYSTEM, action="test.step", details={"n": number})

    result = verify_chain(jobs=2)
    assert (result.ok, result.checked, result.checkpoints) == (True, 120, 1)
    assert parallel[-1] == result  # the processes' answer, not a fallback

    tamper = Tamperer()
    tamper.delete(51)  # the first event of a range
    tamper.set(90, action="test.changed")
    damaged = verify_chain(jobs=2)
    assert parallel[-1] is None  # handed over to the single walk to name the damage
    assert damaged == verify_chain(jobs=1)
    assert (damaged.first_bad_seq, damaged.damage) == (51, "deleted")


SQLITE_PARALLEL = """
from audit import verification
verification.PARALLEL_MIN_EVENTS, verification.MIN_RANGE_EVENTS = 50, 25
calls = []
original = verification._parallel
verification._parallel = lambda *a: calls.append(original(*a)) or calls[-1]
result = verification.verify_chain(jobs=2)
print(result.ok, result.checked, result.first_bad_seq, result.damage, calls[-1] is not None)
"""


def parallel_result(env) -> list[str]:
    """ok, checked, first bad seq, damage, and whether the processes' answer stood."""
    checked = manage(env, "shell", "-c", SQLITE_PARALLEL)
    assert checked.returncode == 0, checked.stderr
    return checked.stdout.splitlines()[-1].split()


@pytest.mark.own_sqlite
@pytest.mark.slow
def test_several_processes_verify_a_sqlite_file(sqlite_file):
    import sqlite3

    database, env = sqlite_file
    filled = manage(env, "shell", "-c", "from audit.services import SYSTEM, record\n"
                    "for n in range(130): record(actor=SYSTEM, action='test.step')")
    assert filled.returncode == 0, filled.stderr
    assert parallel_result(env) == ["True", "130", "None", "None", "True"]

    with sqlite3.connect(database) as db:
        db.execute("DROP TRIGGER audit_auditevent_no_update")
        db.execute("UPDATE audit_auditevent SET action = 'test.changed' WHERE seq = 77")
    assert parallel_result(env) == ["False", "76", "77", "edited", "False"]
