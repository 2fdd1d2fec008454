"""Lifecycle's periodic jobs: the hourly scan of the legal clocks (lifecycle/clocks.py), the
daily retention sweep (lifecycle/retention.py) and the daily look at the holiday calendar
(lifecycle/calendar_watch.py).

The first two kept their names when they moved here from routing (issue 16): ensure_schedule finds
an existing row by its name and points it at the new function, so an installation migrated
from before keeps one schedule of each, with its next run."""

from django_q.models import Schedule

from core.schedules import ensure_schedule


def ensure_schedules(**kwargs) -> None:
    ensure_schedule(
        "clock scan", "lifecycle.clocks.scan", schedule_type=Schedule.HOURLY, repeats=-1,
    )
    ensure_schedule(
        "retention sweep", "lifecycle.tasks.retention_sweep", schedule_type=Schedule.DAILY,
        repeats=-1,
    )
    ensure_schedule(
        "holiday calendar check", "lifecycle.tasks.calendar_check",
        schedule_type=Schedule.DAILY, repeats=-1,
    )
