"""Periodic jobs are django-q2 schedules. Each app registers its own after migrate."""

from django_q.models import Schedule


def ensure_schedule(name: str, func: str, **fields) -> None:
    """Create or update the named schedule, leaving its next run alone if it exists."""
    Schedule.objects.update_or_create(name=name, defaults={"func": func, **fields})


def ensure_schedules(**kwargs):
    ensure_schedule(
        "worker heartbeat", "org.tasks.heartbeat", schedule_type=Schedule.MINUTES, minutes=1,
        repeats=-1,
    )
