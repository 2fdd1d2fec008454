"""An event commits together with the change it records, or neither does."""

import pytest
from django.db import IntegrityError, connection, transaction

from audit import chain
from audit.models import AuditEvent, ChainHead
from audit.services import SYSTEM, record, verify_chain
from org.models import Unit
from vault.keyring import KeyringError, load_keyring

pytestmark = pytest.mark.django_db(transaction=True)


class Abandoned(Exception):
    pass


def create_unit(code="DGZU"):
    return Unit.objects.create(code=code, kind=Unit.Kind.SUBUNIT, name_mn=code, name_en=code)


def test_a_rolled_back_change_leaves_no_event():
    with pytest.raises(Abandoned), transaction.atomic():
        unit = create_unit()
        record(actor=SYSTEM, action="unit.create", target=unit)
        raise Abandoned
    assert not Unit.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_rolled_back_change_leaves_no_gap_in_the_numbers():
    record(actor=SYSTEM, action="test.first")
    with pytest.raises(Abandoned), transaction.atomic():
        record(actor=SYSTEM, action="unit.create", target=create_unit())
        raise Abandoned
    record(actor=SYSTEM, action="test.second")
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", "action")) == [
        (1, "test.first"), (2, "test.second"),
    ]
    assert verify_chain().ok


def test_a_committed_change_commits_its_event():
    with transaction.atomic():
        unit = create_unit()
        record(actor=SYSTEM, action="unit.create", target=unit)
    assert AuditEvent.objects.get().object_id == str(unit.pk)


def test_a_failing_event_write_rolls_back_the_change(use_keyring):
    broken = load_keyring()
    broken.purposes["audit"]["active"] = 7  # a version the keyring does not hold
    use_keyring(broken)
    with pytest.raises(KeyringError), transaction.atomic():
        unit = create_unit()
        record(actor=SYSTEM, action="unit.create", target=unit)
    assert not Unit.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_event_that_the_database_refuses_rolls_back_the_change():
    record(actor=SYSTEM, action="test.first")
    # Someone writes event 2 behind the head's back; the next append collides with it.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (seq, occurred_at, actor_kind, actor_label, action, "
            "object_type, object_id, details, key_version, prev_hash, mac) "
            "VALUES (2, %s, 'system', '', 'test.forged', '', '', '{}', 1, %s, %s)",
            [chain.timestamp(), "0" * 64, "0" * 64],
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        unit = create_unit()
        record(actor=SYSTEM, action="unit.create", target=unit)
    assert not Unit.objects.exists()
    assert ChainHead.objects.get().seq == 1


def test_catching_the_error_does_not_let_the_change_commit_without_its_event():
    with transaction.atomic():
        create_unit()
        try:
            record(actor=SYSTEM, action="unit.create", details={"password": "x"})
        except ValueError:
            pass  # a careless caller carries on
    assert not Unit.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_event_outside_any_transaction_commits_on_its_own():
    record(actor=SYSTEM, action="test.alone")
    assert AuditEvent.objects.count() == 1
    assert ChainHead.objects.get().seq == 1


def test_a_missing_head_is_rebuilt_from_the_newest_event():
    record(actor=SYSTEM, action="test.first")
    record(actor=SYSTEM, action="test.second")
    ChainHead.objects.all().delete()
    third = record(actor=SYSTEM, action="test.third")
    assert third.seq == 3
    assert verify_chain().ok

