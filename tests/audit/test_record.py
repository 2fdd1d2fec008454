"""What `record` and `record_read` write, and what they refuse to write."""

import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from audit import chain
from audit.models import ActorKind, AuditEvent, ChainHead
from audit.services import ANONYMOUS_REPORTER, SYSTEM, record, record_read, verify_chain
from org.models import Membership
from vault.keyring import keyring, load_keyring

pytestmark = pytest.mark.django_db


def test_a_staff_actor_is_recorded_by_account_and_username(personas, units):
    event = record(actor=personas["officer"], action="complaint.classify", unit=units["DG"])
    assert event.actor_kind == ActorKind.STAFF
    assert event.actor_user == personas["officer"]
    assert event.actor_label == "officer"


def test_an_anonymous_reporter_leaves_nothing_identifying(units):
    event = record(actor=ANONYMOUS_REPORTER, action="complaint.submit", unit=units["DG"])
    stored = AuditEvent.objects.filter(seq=event.seq).values().get()
    assert stored["actor_kind"] == "anonymous"
    assert stored["actor_user_id"] is None
    assert stored["actor_label"] == ""
    assert stored["details"] == "{}"


def test_the_system_is_an_actor_of_its_own(units):
    event = record(actor=SYSTEM, action="deadline.escalate")
    assert (event.actor_kind, event.actor_user_id, event.unit_id) == ("system", None, None)


@pytest.mark.parametrize(
    "actor", [AnonymousUser(), None, "officer", ActorKind.STAFF],
    ids=["anonymous-user", "none", "a-username", "an-actor-kind"],
)
def test_anything_else_is_refused_as_an_actor(units, actor):
    with pytest.raises(TypeError), transaction.atomic():
        record(actor=actor, action="complaint.read")
    assert not AuditEvent.objects.exists()


def test_a_target_names_the_object_and_its_unit(personas, units):
    membership = Membership.objects.get(user=personas["clerk"])
    event = record(actor=personas["admin"], action="membership.change", target=membership)
    assert event.object_type == "org.membership"
    assert event.object_id == str(membership.pk)
    assert event.unit == units["DG"]


def test_a_unit_as_target_is_its_own_unit(units):
    event = record(actor=SYSTEM, action="unit.create", target=units["DU"])
    assert (event.object_type, event.object_id, event.unit) == ("org.unit", str(units["DU"].pk),
                                                                units["DU"])


def test_an_object_can_be_named_by_hand(units):
    event = record(actor=SYSTEM, action="report.send", object_type="reporting.report",
                   object_id=42, unit=units["DG"])
    assert (event.object_type, event.object_id) == ("reporting.report", "42")


def test_details_are_stored_as_canonical_json(units):
    event = record(actor=SYSTEM, action="complaint.classify", unit=units["DG"],
                   details={"z": 1, "category": "авлига", "fields": ["b", "a"]})
    stored = AuditEvent.objects.get(seq=event.seq)
    assert stored.details == '{"category":"авлига","fields":["b","a"],"z":1}'
    assert stored.details_dict["category"] == "авлига"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"action": "Complaint Read"}, ValueError),
        ({"action": ""}, ValueError),
        ({"details": ["not", "a", "dict"]}, TypeError),
        ({"details": {"when": datetime.now(UTC)}}, TypeError),
        ({"details": {"ratio": float("nan")}}, ValueError),
        ({"details": {"ip_address": "203.0.113.9"}}, ValueError),
        ({"details": {"nested": [{"User-Agent": "x"}]}}, ValueError),
        ({"details": {"receipt_code": "1234"}}, ValueError),
        ({"details": {"text": "x" * 5000}}, ValueError),
        ({"object_type": "intake.complaint", "object_id": "4\x1f2"}, ValueError),
        ({"object_type": "intake.complaint", "object_id": "x" * 65}, ValueError),
        ({"unit": "DG"}, TypeError),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_written(units, kwargs, error):
    kwargs = {"action": "complaint.read", **kwargs}
    with pytest.raises(error), transaction.atomic():
        record(actor=SYSTEM, **kwargs)
    assert not AuditEvent.objects.exists()


def test_a_target_and_a_hand_named_object_together_are_refused(units):
    with pytest.raises(ValueError):
        record(actor=SYSTEM, action="unit.read", target=units["DG"], object_type="org.unit")


def test_events_are_numbered_without_gaps_and_chained(units):
    events = [record(actor=SYSTEM, action="test.step", details={"n": n}) for n in range(5)]
    assert [event.seq for event in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == chain.GENESIS
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.mac
    head = ChainHead.objects.get()
    assert (head.seq, head.mac) == (5, events[-1].mac)


def test_the_hmac_covers_the_canonical_serialisation_with_the_active_audit_key(units):
    event = record(actor=SYSTEM, action="test.step", unit=units["DG"], details={"n": 1})
    stored = AuditEvent.objects.get(seq=event.seq)
    assert stored.key_version == keyring.active_version("audit")
    key = keyring.key("audit", stored.key_version)
    assert stored.mac == chain.compute_mac(key, stored.chain_values())
    assert stored.mac == chain.MacKeys().mac(stored.chain_values())
    assert chain.message(stored.chain_values()).decode().split("\x1f") == [
        chain.GENESIS, "shugel-audit-1", "1", stored.occurred_at, "system", "None", "",
        "test.step", "", "", str(units["DG"].pk), '{"n":1}', str(stored.key_version),
    ]


def test_time_is_utc_text_in_a_fixed_width(units):
    with time_machine.travel(datetime(2026, 3, 8, 1, 2, 3, tzinfo=UTC), tick=False):
        event = record(actor=SYSTEM, action="test.step")
    assert event.occurred_at == "2026-03-08T01:02:03.000000Z"
    assert event.when == datetime(2026, 3, 8, 1, 2, 3, tzinfo=UTC)


def test_events_keep_verifying_after_the_audit_key_is_rotated(units, use_keyring):
    record(actor=SYSTEM, action="test.before")
    rotated = load_keyring()
    rotated.add_version("audit")
    use_keyring(rotated)
    after = record(actor=SYSTEM, action="test.after")
    assert after.key_version == 2
    result = verify_chain()
    assert result.ok and result.checked == 2


def test_a_read_records_who_read_which_fields(personas, units):
    membership = Membership.objects.get(user=personas["clerk"])
    event = record_read(actor=personas["officer"], target=membership,
                        fields=["text", "identity", "text"])
    assert event.action == "content.read"
    assert event.actor_label == "officer"
    assert (event.object_type, event.object_id) == ("org.membership", str(membership.pk))
    assert json.loads(event.details) == {"fields": ["identity", "text"]}


@pytest.mark.parametrize("fields", [[], "text", ["the complaint says…"], [None]], ids=repr)
def test_a_read_must_name_real_fields(personas, units, fields):
    with pytest.raises(ValueError):
        record_read(actor=personas["officer"], target=units["DG"], fields=fields)
