"""Periodic jobs are django-q2 schedules. Each app registers its own after migrate, through
ensure_schedule; core's own is the worker's heartbeat."""

from django_q.models import Schedule


def ensure_schedule(name: str, func: str, **fields) -> None:
    """Create or update the named schedule, leaving its next run alone if it exists. A job
    that moved to another module keeps its row: the row's func is updated by name."""
    Schedule.objects.update_or_create(name=name, defaults={"func": func, **fields})


def ensure_schedules(**kwargs):
    ensure_schedule(
        "worker heartbeat", "core.tasks.heartbeat", schedule_type=Schedule.MINUTES, minutes=1,
        repeats=-1,
    )
