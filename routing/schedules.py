"""Routing's periodic jobs: the scan of legal clocks, and the daily retention sweep
(routing/retention.py). Delivery's sweep is the outbox's (outbox/schedules.py)."""

from django_q.models import Schedule

from org.schedules import ensure_schedule


def ensure_schedules(**kwargs) -> None:
    ensure_schedule(
        "clock scan", "routing.clocks.scan", schedule_type=Schedule.HOURLY, repeats=-1,
    )
    ensure_schedule(
        "retention sweep", "routing.tasks.retention_sweep", schedule_type=Schedule.DAILY,
        repeats=-1,
    )
