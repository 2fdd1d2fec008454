"""Routing's periodic job: a sweep that delivers whatever the outbox holds (a backstop for
the task queued at approval, and the retry clock). The scan of the legal clocks and the
daily retention sweep are lifecycle's (lifecycle/schedules.py)."""

from django_q.models import Schedule

from org.schedules import ensure_schedule


def ensure_schedules(**kwargs) -> None:
    ensure_schedule(
        "referral delivery", "routing.tasks.deliver_due", schedule_type=Schedule.MINUTES,
        minutes=1, repeats=-1,
    )
