"""Routing's periodic jobs: a sweep that delivers whatever the outbox holds (a backstop for
the task queued at approval, and the retry clock), the scan of legal clocks, and the daily
retention sweep (routing/retention.py)."""

from django_q.models import Schedule

from core.schedules import ensure_schedule


def ensure_schedules(**kwargs) -> None:
    ensure_schedule(
        "referral delivery", "routing.tasks.deliver_due", schedule_type=Schedule.MINUTES,
        minutes=1, repeats=-1,
    )
    ensure_schedule(
        "clock scan", "routing.clocks.scan", schedule_type=Schedule.HOURLY, repeats=-1,
    )
    ensure_schedule(
        "retention sweep", "routing.tasks.retention_sweep", schedule_type=Schedule.DAILY,
        repeats=-1,
    )
