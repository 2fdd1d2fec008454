"""The worker's heartbeat moved from org to core (issue 16): migrated back to the old state,
a database's heartbeat row is in org's table and core's is gone; migrated forward again,
org's row (changed meanwhile) is in core's table and org's table is gone."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("org", "0004_unit_place"), ("core", None)]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def tables() -> set[str]:
    return set(connection.introspection.table_names())


# Slow: migrates a whole database back and forward, like the restore drill. Each direction
# is migrated once (back with a row in core's table, then forward with it in org's): the
# two migrations take most of a minute on SQLite, and each more would add half of it.
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_row_moves_to_core_and_back():
    from core.models import Heartbeat

    seen = timezone.now().replace(microsecond=0)
    Heartbeat.objects.create(name="worker", seen_at=seen)
    try:
        old = migrate(BEFORE)
        assert "org_heartbeat" in tables() and "core_heartbeat" not in tables()
        assert old.get_model("org", "Heartbeat").objects.get(name="worker").seen_at == seen
        old.get_model("org", "Heartbeat").objects.filter(name="worker").update(
            seen_at=seen - timedelta(minutes=1))

        new = migrate(leaves())
        assert "org_heartbeat" not in tables()
        beat = new.get_model("core", "Heartbeat").objects.get(name="worker")
        assert beat.seen_at == seen - timedelta(minutes=1)
    finally:
        if "core_heartbeat" not in tables():
            migrate(leaves())
    assert "core_heartbeat" in tables() and "org_heartbeat" not in tables()
