"""core.postgresql: timestamps are read with psycopg's compiled loader, and every value comes
out exactly as Django's own loader gives it (the same instant, tzinfo datetime.timezone.utc)."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from psycopg.adapt import AdaptersMap
from psycopg.postgres import types

from core.postgresql.base import UtcTimestampLoader

if connection.vendor == "postgresql":
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader

    class DjangosLoader(BaseTzLoader):
        """Django's own timestamptz loader, as it registers it for a UTC connection."""

        timezone = UTC

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
    pytest.mark.django_db,
]

TEXTS = [
    "2026-12-07 10:24:58+00", "2026-12-07 18:24:58.123456+08", "2026-03-08 23:59:59.999999-11",
    "1900-01-01 00:00:00+00", "1950-06-15 12:00:00+05:30", "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00", "2024-02-29 00:00:00.5+00", "1983-04-01 03:00:00+09",
]


def _read(loader=None, texts=TEXTS) -> tuple:
    with connection.cursor() as cursor:
        if loader is not None:
            cursor.cursor.adapters.register_loader("timestamptz", loader)
        cursor.execute("SELECT " + ", ".join(["%s::timestamptz"] * len(texts)), texts)
        return cursor.fetchone()


def test_the_connection_reads_timestamps_with_the_compiled_loader():
    connection.ensure_connection()
    adapters = connection.connection.adapters
    assert adapters.get_loader(types.get("timestamptz").oid, 0) is UtcTimestampLoader
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        loader = cursor.cursor._tx.get_loader(types.get("timestamptz").oid, 0)
    assert loader.load.__self__.__class__.__module__.startswith("psycopg_")  # compiled


def test_every_value_is_what_djangos_loader_gives():
    ours, djangos = _read(), _read(DjangosLoader)
    assert ours == djangos
    assert all(value.tzinfo is UTC for value in ours)
    assert ours[0] == datetime(2026, 12, 7, 10, 24, 58, tzinfo=UTC)
    assert ours[1] == datetime(2026, 12, 7, 10, 24, 58, 123456, tzinfo=UTC)


def test_a_session_in_another_zone_falls_back_to_djangos_way():
    """Django keeps the session in UTC; should anything change it, the loader does what
    Django's does rather than hand out times in that zone."""
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Asia/Ulaanbaatar'")
    try:
        # Not the last microsecond of 9999 in UTC: Ulaanbaatar is already in year 10000.
        found = _read(texts=TEXTS[:6])
        djangos = _read(DjangosLoader, texts=TEXTS[:6])
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
    assert all(value.tzinfo is UTC for value in found)
    assert found == djangos


def test_the_template_django_shares_between_connections_is_left_alone():
    from django.db.backends.postgresql.psycopg_any import get_adapters_template

    shared = get_adapters_template(True, UTC)
    assert isinstance(shared, AdaptersMap)
    assert shared.get_loader(types.get("timestamptz").oid, 0) is not UtcTimestampLoader
