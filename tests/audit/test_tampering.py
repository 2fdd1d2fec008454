"""Whoever edits, removes, adds or moves an audit record in the database, even with the
triggers dropped, is caught by `verify_audit`, which names the first bad sequence number."""

import json

import pytest

from audit import chain, checkpoints
from audit.models import AuditEvent, Checkpoint
from audit.services import SYSTEM, record
from tests.audit.conftest import random_key, rows, verify_audit

pytestmark = pytest.mark.django_db


def assert_damage(seq: int, kind: str):
    status, output = verify_audit()
    assert status == 1, output
    assert f"first bad sequence number: {seq}\n" in output, output
    assert f"damage: {kind}\n" in output, output


def test_an_intact_trail_passes_with_exit_status_zero(trail):
    status, output = verify_audit()
    assert status == 0, output
    assert "12 events checked" in output
    assert "1 checkpoints verified" in output


def test_an_edited_event_is_detected(trail, tamper):
    tamper.set(5, action="test.harmless")
    assert_damage(5, "edited")


def test_edited_details_are_detected(trail, tamper):
    tamper.set(7, details=json.dumps({"n": 70}, separators=(",", ":")))
    assert_damage(7, "edited")


def test_an_edited_last_event_is_detected(trail, tamper):
    tamper.set(12, actor_kind="anonymous")
    assert_damage(12, "edited")


def test_a_deleted_event_is_detected(trail, tamper):
    tamper.delete(6)
    assert_damage(6, "deleted")


def test_a_deleted_event_is_detected_when_the_later_ones_are_renumbered(trail, tamper):
    tamper.delete(6)
    for seq in range(7, 13):
        tamper.move(seq, seq - 1)
    tamper.set_head(11)
    assert_damage(6, "deleted")


def test_an_event_inserted_in_the_middle_is_detected(trail, tamper):
    for seq in range(12, 5, -1):
        tamper.move(seq, seq + 1)
    forged = list(rows()[4][: chain.MAC])  # event 5, whose successor the forgery claims to be
    forged[chain.PREV], forged[chain.SEQ] = rows()[4][chain.MAC], 6
    tamper.insert(tuple(forged), mac="f" * 64)
    tamper.set_head(13)
    assert_damage(6, "inserted")


def test_an_event_appended_behind_the_heads_back_is_detected(trail, tamper):
    last = rows()[-1]
    forged = list(last[: chain.MAC])
    forged[chain.PREV], forged[chain.SEQ] = last[chain.MAC], 13
    tamper.insert(tuple(forged), mac="e" * 64)
    assert_damage(13, "inserted")


def test_a_copied_event_inserted_in_the_middle_is_detected(trail, tamper):
    copy = rows()[3]  # event 4, genuine, copied in as a second event 7
    for seq in range(12, 6, -1):
        tamper.move(seq, seq + 1)
    values = list(copy[: chain.MAC])
    values[chain.SEQ] = 7
    tamper.insert(tuple(values), mac=copy[chain.MAC])
    tamper.set_head(13)
    assert_damage(7, "inserted")


def test_swapped_events_are_detected(trail, tamper):
    tamper.move(6, -1)
    tamper.move(7, 6)
    tamper.move(-1, 7)
    assert_damage(6, "reordered")


def test_events_swapped_far_apart_are_detected(trail, tamper):
    tamper.move(3, -1)
    tamper.move(10, 3)
    tamper.move(-1, 10)
    assert_damage(3, "reordered")


def test_a_tail_cut_back_behind_the_last_checkpoint_is_detected(trail, tamper):
    assert trail.seq == 8
    tamper.delete(8, 9, 10, 11, 12)
    tamper.set_head(7)  # the chain head hidden too: only the checkpoint knows
    assert_damage(8, "truncated")


def test_a_cut_tail_is_detected_from_the_checkpoint_file_alone(trail, tamper):
    tamper.delete(8, 9, 10, 11, 12)
    tamper.set_head(7)
    tamper.sql("DELETE FROM audit_checkpoint")
    assert Checkpoint.objects.count() == 0
    assert_damage(8, "truncated")


def test_a_cut_tail_is_detected_from_the_chain_head(trail, tamper):
    tamper.delete(11, 12)
    assert_damage(11, "truncated")


def test_a_chain_recomputed_with_a_wrong_key_is_detected(trail, tamper):
    tamper.rechain(random_key())
    assert_damage(1, "wrong_key")


def test_an_edit_covered_by_recomputing_the_rest_with_a_wrong_key_is_detected(trail, tamper):
    tamper.set(5, action="test.covered")
    tamper.rechain(random_key(), from_seq=5)
    assert_damage(5, "wrong_key")


def test_an_event_claiming_a_key_version_the_keyring_lacks_is_detected(trail, tamper):
    tamper.set(3, key_version=99)
    assert_damage(3, "wrong_key")


def test_a_chain_rebuilt_with_the_real_key_still_fails_at_the_checkpoint(trail, tamper):
    from vault.keyring import keyring

    tamper.set(3, action="test.rewritten")
    tamper.rechain(keyring.key("audit", 1), from_seq=3)
    assert_damage(8, "forked")


def test_a_forged_checkpoint_file_is_detected(trail):
    path = checkpoints.export_dir() / trail.file_name
    document = json.loads(path.read_text())
    document["signature"] = "00" * 64
    path.write_text(json.dumps(document))
    assert_damage(8, "bad_checkpoint")


def test_a_checkpoint_edited_in_the_database_is_detected(trail, tamper):
    tamper.sql("UPDATE audit_checkpoint SET head_mac = %s", ["a" * 64])
    assert_damage(8, "bad_checkpoint")


def test_an_unreadable_checkpoint_file_is_detected(trail):
    (checkpoints.export_dir() / "checkpoint-000000000004-x.json").write_text("{not json")
    assert_damage(4, "bad_checkpoint")


def test_the_first_damage_is_the_one_reported(trail, tamper):
    tamper.set(9, action="test.later")
    tamper.set(4, action="test.earlier")
    assert_damage(4, "edited")


def test_damage_is_found_across_chunk_boundaries(trail, tamper, monkeypatch):
    from audit import verification

    monkeypatch.setattr(verification, "CHUNK", 3)
    assert verify_audit()[0] == 0
    tamper.set(6, action="test.at_a_boundary")
    assert_damage(6, "edited")


def test_new_events_after_damage_do_not_hide_it(trail, tamper, units):
    tamper.set(2, action="test.hidden")
    record(actor=SYSTEM, action="test.after", target=units["DG"])
    assert AuditEvent.objects.count() == 13
    assert_damage(2, "edited")
