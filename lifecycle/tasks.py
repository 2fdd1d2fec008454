"""Lifecycle's tasks, run by the django-q2 worker. Thin: the work is in lifecycle.retention
(and in lifecycle.clocks, whose `scan` the schedule calls as it is)."""

from lifecycle import retention


def retention_sweep() -> str:
    """Daily (lifecycle/schedules.py): destroy the content of cases whose time is up and
    warn of those whose time is near (lifecycle.retention)."""
    return str(retention.sweep())
