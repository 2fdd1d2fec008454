"""Checkpoints follow new events within a minute: the worker's schedule runs every minute
and makes one checkpoint of whatever was added since the last, none while nothing moved,
and one only however many workers run it at once."""

import subprocess
import sys
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from django_q.models import Schedule
from django_q.scheduler import scheduler

from audit.models import ChainHead, Checkpoint
from audit.services import SYSTEM, checkpoint_if_moved, record
from tests.audit.conftest import MANAGE, manage
from tests.racing import at_once

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(units):
    """The worker's scheduler, with only the checkpoint schedule, which last ran now."""
    Schedule.objects.exclude(name="audit checkpoint").delete()
    start = timezone.now().replace(microsecond=0)
    Schedule.objects.filter(name="audit checkpoint").update(
        next_run=start + timedelta(minutes=1))
    with time_machine.travel(start, tick=False) as clock:
        yield clock


def seqs() -> list[int]:
    return list(Checkpoint.objects.order_by("id").values_list("seq", flat=True))


def step(units, number: int) -> None:
    record(actor=SYSTEM, action="test.step", target=units["DG"], details={"n": number})


def test_events_are_checkpointed_within_a_minute_once_not_once_each(worker, units):
    for number in range(3):
        step(units, number)
        worker.shift(timedelta(seconds=15))
        scheduler()
    assert seqs() == []  # within the minute: nothing yet
    worker.shift(timedelta(seconds=16))
    scheduler()
    assert seqs() == [3]
    assert ChainHead.objects.get().seq == 3


def test_no_checkpoint_is_made_while_nothing_moved(worker, units):
    step(units, 1)
    worker.shift(timedelta(minutes=1, seconds=1))
    scheduler()
    for _minute in range(5):
        worker.shift(timedelta(minutes=1))
        scheduler()
    assert seqs() == [1]
    step(units, 2)
    worker.shift(timedelta(minutes=1))
    scheduler()
    assert seqs() == [1, 2]


def test_a_head_already_checkpointed_is_not_checkpointed_again(units):
    step(units, 1)
    assert checkpoint_if_moved().seq == 1
    assert checkpoint_if_moved() is None
    assert seqs() == [1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads race on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_workers_checkpointing_at_once_on_postgresql_make_one_checkpoint():
    record(actor=SYSTEM, action="test.step")
    made = at_once(checkpoint_if_moved, 6)
    assert len([checkpoint for checkpoint in made if checkpoint is not None]) == 1
    assert seqs() == [1]


CHECKPOINTER = """
import os, time
from pathlib import Path
from audit.services import checkpoint_if_moved
gate = Path(os.environ["GATE"])
(gate.parent / f"ready-{os.getpid()}").touch()
while not gate.exists():
    time.sleep(0.005)
checkpoint_if_moved()
"""


@pytest.mark.own_sqlite
@pytest.mark.slow
def test_workers_checkpointing_at_once_on_a_sqlite_file_make_one_checkpoint(sqlite_file):
    database, env = sqlite_file
    recorded = manage(env, "shell", "-c",
                      "from audit.services import SYSTEM, record; "
                      "record(actor=SYSTEM, action='test.step')")
    assert recorded.returncode == 0, recorded.stderr
    gate = database.parent / "go"
    running = [subprocess.Popen([sys.executable, str(MANAGE), "shell", "-c", CHECKPOINTER],
                                env={**env, "GATE": str(gate)}, stderr=subprocess.PIPE,
                                text=True)
               for _ in range(3)]
    deadline = time.monotonic() + 60
    while len(list(database.parent.glob("ready-*"))) < len(running):
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.01)
    gate.touch()  # all at once
    for process in running:
        assert process.wait(timeout=120) == 0, process.stderr.read()
    files = list((database.parent / "data" / "checkpoints").glob("checkpoint-*.json"))
    assert len(files) == 1
    verified = manage(env, "verify_audit")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "1 checkpoints verified" in verified.stdout
