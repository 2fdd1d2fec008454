"""On PostgreSQL the test database is dropped even while a session is still open on it
(tests/dbtemplate.py, drop_by_force): a live server's request thread can still be closing
its connection when a process's last test has ended."""

import uuid

import psycopg
import pytest
from django.db import connection

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's DROP DATABASE"),
    pytest.mark.django_db,
]


def _exists(name: str) -> bool:
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def test_a_test_database_with_a_session_still_open_is_dropped():
    creation = connection.creation
    name = f"shugel_drop_check_{uuid.uuid4().hex[:12]}"
    with creation._nodb_cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
    other = psycopg.connect(**{**connection.get_connection_params(), "dbname": name})
    try:
        other.execute("SELECT 1")
        creation._destroy_test_db(name, verbosity=0)
        assert not _exists(name)
        with pytest.raises(psycopg.OperationalError):
            other.execute("SELECT 1")
    finally:
        other.close()
        with creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")
