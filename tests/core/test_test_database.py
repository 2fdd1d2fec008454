"""A transactional test on SQLite ends with the migrated database copied back
(tests/dbtemplate.py), so that `make check` can run the suite's tests in any order."""

import pytest
from django.db import IntegrityError, connection
from django.test import TransactionTestCase

from audit import triggers
from audit.models import AuditEvent
from audit.services import SYSTEM, record
from org.models import Unit
from routing.models import Category, TriageTerm

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
