"""Escalation moved from routing to lifecycle (issue 16) without touching the database: an
installation migrated to before the move, with escalations in it, keeps every row, now
lifecycle's, and the model's content type (and so its permissions) goes with it."""

from datetime import date

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lifecycle.models import Escalation
from tests.intake.pages_case import NOW, make_case

BEFORE_THE_MOVE = ("routing", "0006_retention")


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)  # a fresh graph of what is applied now


# Slow: migrates a whole database back and forward, like the restore drill.
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_escalations_written_before_the_move_are_lifecycles_after_it(units, personas):
    with time_machine.travel(NOW, tick=False):
        complaint = make_case(units, personas)
    content_type = ContentType.objects.get_for_model(Escalation)
    try:
        # Unapplies lifecycle 0001 and routing's migration that depends on it: state only.
        executor = _migrate([("lifecycle", None)])
        assert BEFORE_THE_MOVE in executor.loader.applied_migrations
        assert ("routing", "0007_escalation_to_lifecycle") not in (
            executor.loader.applied_migrations)
        old = executor.loader.project_state([BEFORE_THE_MOVE]).apps
        assert old.get_model("routing", "Escalation")._meta.db_table == "routing_escalation"
        written = old.get_model("routing", "Escalation").objects.create(
            clock="refer", complaint_id=complaint.pk, step=1, due=date(2026, 3, 27),
            to_unit_id=units["DG"].pk)
        assert ContentType.objects.filter(pk=content_type.pk).values_list(
            "app_label", "model").get() == ("routing", "escalation")
    finally:
        executor = MigrationExecutor(connection)
        _migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    moved = Escalation.objects.get()
    assert (moved.pk, moved.clock, moved.complaint_id, moved.step, moved.due, moved.to_unit) \
        == (written.pk, "refer", complaint.pk, 1, date(2026, 3, 27), units["DG"])
    assert list(complaint.escalations.all()) == [moved]
    assert ContentType.objects.get_for_model(Escalation).pk == content_type.pk
    assert not ContentType.objects.filter(app_label="routing", model="escalation").exists()
