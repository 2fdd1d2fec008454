"""A trimmed trail is caught. Someone who controls the database drops the triggers, deletes
the newest events and winds the chain head back to match; the checkpoint made within a
minute of those events, whose file is outside the database, still vouches for them, and
`verify_audit` fails naming what is missing. The triggers are dropped the way each database
allows (tests/audit/conftest.py: Tamperer), so this runs on SQLite and on PostgreSQL."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from audit import checkpoints
from audit.models import ChainHead
from audit.services import SYSTEM, record, verify_chain
from audit.tasks import checkpoint as scheduled_checkpoint
from tests.audit.conftest import verify_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def minute_later(trail):
    """The trail's twelve events, and the worker's checkpoint a minute after the last."""
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        assert "event 12" in scheduled_checkpoint()
    return checkpoints.exported_files()[-1]


def assert_damage(seq: int, kind: str, *args) -> str:
    status, output = verify_audit(*args)
    assert status == 1, output
    assert f"first bad sequence number: {seq}\n" in output, output
    assert f"damage: {kind}\n" in output, output
    return output


def test_events_cut_off_after_the_hourly_checkpoint_are_caught_by_the_minute_one(
        minute_later, tamper):
    tamper.delete(9, 10, 11, 12)
    tamper.set_head(8)  # the head wound back to the hourly checkpoint's event
    tamper.sql("DELETE FROM audit_checkpoint WHERE seq > 8")
    output = assert_damage(9, "truncated")
    assert "Events 9 to 12 are missing" in output
    assert "the chain ends at event 8" in output
    assert str(minute_later) in output  # the file outside the database is named


def test_a_head_wound_back_over_a_single_lost_event_names_it(minute_later, tamper):
    tamper.delete(12)
    tamper.set_head(11)
    output = assert_damage(12, "truncated")
    assert "Event 12 is missing" in output


def test_a_head_wound_back_by_hand_without_its_hmac_is_caught_without_a_checkpoint(
        trail, tamper):
    tamper.delete(11, 12)
    # The event number put back, but the HMAC left as it was: only the head knows.
    ChainHead.objects.filter(pk=ChainHead.ONLY).update(seq=10)
    output = assert_damage(11, "truncated")
    assert "wound back by hand" in output


def test_a_head_wound_back_behind_events_still_there_is_caught(trail, tamper):
    tamper.set_head(10)
    output = assert_damage(11, "inserted")
    assert "wound back by hand" in output


def test_a_forged_checkpoint_file_beyond_the_end_is_a_bad_checkpoint_not_a_cut(trail):
    source = checkpoints.export_dir() / trail.file_name
    forged = json.loads(source.read_text()) | {"seq": 500}
    (checkpoints.export_dir() / "checkpoint-000000000500-forged.json").write_text(
        json.dumps(forged))
    output = assert_damage(500, "bad_checkpoint")
    assert "signature" in output


def test_a_cut_is_caught_from_a_copy_of_the_file_kept_elsewhere(minute_later, tamper,
                                                                 tmp_path):
    kept = tmp_path / "kept-elsewhere"
    kept.mkdir()
    (kept / minute_later.name).write_bytes(minute_later.read_bytes())
    tamper.delete(9, 10, 11, 12)
    tamper.set_head(8)
    tamper.sql("DELETE FROM audit_checkpoint WHERE seq > 8")
    minute_later.unlink()  # whoever controls the machine removed its own copy too
    assert_damage(9, "truncated", "--checkpoints", str(kept))


def test_what_verify_audit_prints_is_in_one_language(minute_later, tamper):
    tamper.delete(11, 12)
    tamper.set_head(10)
    with translation.override("mn"):  # a Mongolian request or shell around the command
        output = assert_damage(11, "truncated")
    assert "Events 11 to 12 are missing" in output
    status, output = verify_audit("--language", "mn")
    assert status == 1
    assert "Audit trail DAMAGED" not in output
    assert "are missing" not in output
    assert "damage: truncated" not in output  # the label is translated, the code kept
    assert "truncated" in output and "11" in output


def test_events_recorded_while_the_trail_is_verified_are_not_damage(trail, monkeypatch):
    from audit import verification

    monkeypatch.setattr(verification, "CHUNK", 3)
    recorded = []

    def record_meanwhile(checked, total):
        # The head was read before the walk began; the chain grows past it while the walk
        # runs, as it does on a live system.
        if not recorded:
            recorded.append(record(actor=SYSTEM, action="test.meanwhile"))

    result = verify_chain(progress=record_meanwhile)
    assert recorded and result.ok, result.explanation
