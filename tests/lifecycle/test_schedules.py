"""The clock scan and the retention sweep are django-q2 schedules that lifecycle keeps after
migrate. They kept their names when they moved from routing (issue 16): an installation
migrated from before has its rows pointed at the new functions, one of each, with their
next run left alone."""

from datetime import UTC, datetime

import pytest
from django.utils.module_loading import import_string
from django_q.models import Schedule

from lifecycle.schedules import ensure_schedules

pytestmark = pytest.mark.django_db


def test_the_clock_scan_and_the_retention_sweep_exist_after_migrate():
    scan = Schedule.objects.get(name="clock scan")
    sweep = Schedule.objects.get(name="retention sweep")
    assert (scan.func, scan.schedule_type, scan.repeats) == (
        "lifecycle.clocks.scan", Schedule.HOURLY, -1)
    assert (sweep.func, sweep.schedule_type, sweep.repeats) == (
        "lifecycle.tasks.retention_sweep", Schedule.DAILY, -1)
    for schedule in (scan, sweep):
        assert callable(import_string(schedule.func))


def test_rows_that_named_routing_are_pointed_at_lifecycle_and_keep_their_next_run():
    planned = datetime(2030, 1, 1, 3, 0, tzinfo=UTC)
    Schedule.objects.filter(name="clock scan").update(func="routing.clocks.scan",
                                                      next_run=planned)
    Schedule.objects.filter(name="retention sweep").update(
        func="routing.tasks.retention_sweep", next_run=planned)
    ensure_schedules()
    assert dict(Schedule.objects.filter(name__in=["clock scan", "retention sweep"])
                .values_list("name", "func")) == {
        "clock scan": "lifecycle.clocks.scan",
        "retention sweep": "lifecycle.tasks.retention_sweep"}
    assert set(Schedule.objects.filter(name__in=["clock scan", "retention sweep"])
               .values_list("next_run", flat=True)) == {planned}
    assert not Schedule.objects.filter(func__startswith="routing.clocks").exists()
    assert not Schedule.objects.filter(func="routing.tasks.retention_sweep").exists()


def test_the_sweep_task_says_what_it_did():
    assert import_string("lifecycle.tasks.retention_sweep")() == "0 shredded, 0 warned"
