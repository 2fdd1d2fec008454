"""The database itself refuses to change or remove audit records, on SQLite and PostgreSQL."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction

from audit import triggers
from audit.models import AppendOnlyError, AuditEvent, Checkpoint
from audit.schedules import after_migrate

pytestmark = pytest.mark.django_db


def raw(statement, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_migration_installed_the_triggers():
    assert triggers.installed(connection)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET action = 'test.changed' WHERE seq = 3",
        "UPDATE audit_auditevent SET mac = 'x'",
        "DELETE FROM audit_auditevent WHERE seq = 3",
        "DELETE FROM audit_auditevent",
        "UPDATE audit_checkpoint SET signature = 'x'",
        "DELETE FROM audit_checkpoint",
    ],
)
def test_the_database_refuses_to_change_or_delete_audit_records(trail, statement):
    before = list(AuditEvent.objects.values_list("seq", "action", "mac"))
    with pytest.raises(IntegrityError, match="append-only"):
        raw(statement)
    assert list(AuditEvent.objects.values_list("seq", "action", "mac")) == before
    assert Checkpoint.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL")
@pytest.mark.parametrize("table", ["audit_auditevent", "audit_checkpoint"])
def test_postgresql_refuses_to_truncate_audit_tables(trail, table):
    # The foreign key checks of the trail's inserts are deferred to commit, and PostgreSQL
    # will not truncate a table with checks pending; run them now, as a commit would.
    raw("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(IntegrityError, match="append-only"):
        raw(f"TRUNCATE {table} CASCADE")
    assert AuditEvent.objects.count() == 12


def test_inserting_is_still_allowed(trail):
    assert AuditEvent.objects.count() == 12  # the trail fixture wrote through the triggers


def test_the_orm_refuses_before_the_database_has_to(trail):
    event = AuditEvent.objects.get(seq=1)
    event.action = "test.changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=1).update(action="test.changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        Checkpoint.objects.all().delete()
    assert AuditEvent.objects.get(seq=1).action == "test.step"


def test_migrate_puts_dropped_triggers_back():
    triggers.remove(connection)
    assert not triggers.installed(connection)
    after_migrate(using="default")
    assert triggers.installed(connection)


def test_installing_twice_is_harmless():
    triggers.install(connection)
    triggers.install(connection)
    assert triggers.installed(connection)


def test_an_unsupported_database_stops_the_migration():
    class OtherDatabase:
        vendor = "mysql"

    with pytest.raises(ImproperlyConfigured, match="mysql"):
        triggers.install(OtherDatabase())
