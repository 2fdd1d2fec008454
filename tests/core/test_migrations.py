"""The worker's heartbeat moved from org to core (issue 16): a database migrated to the old
state, with its heartbeat row, comes out of `migrate` with the row in core's table and
org's table gone; and back again."""

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


# Slow: migrates a whole database back and forward, like the restore drill.
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_row_moves_to_core_and_back():
    seen = timezone.now().replace(microsecond=0)
    try:
        old = migrate(BEFORE)
        assert "org_heartbeat" in tables() and "core_heartbeat" not in tables()
        old.get_model("org", "Heartbeat").objects.create(name="worker", seen_at=seen)

        new = migrate(leaves())
        assert "org_heartbeat" not in tables()
        beat = new.get_model("core", "Heartbeat").objects.get(name="worker")
        assert beat.seen_at == seen

        old = migrate(BEFORE)
        assert old.get_model("org", "Heartbeat").objects.get(name="worker").seen_at == seen
    finally:
        migrate(leaves())
    assert "core_heartbeat" in tables() and "org_heartbeat" not in tables()
