"""Lifecycle's tasks, run by the django-q2 worker. Thin: the work is in lifecycle.retention
(and in lifecycle.clocks, whose `scan` the schedule calls as it is)."""

from lifecycle import retention
from lifecycle.calendar_watch import calendar_warn


def retention_sweep() -> str:
    """Daily (lifecycle/schedules.py): destroy the content of cases whose time is up and
    warn of those whose time is near (lifecycle.retention)."""
    return str(retention.sweep())


def calendar_check() -> int:
    """Daily (lifecycle/schedules.py): tell the administrators when the holidays that move
    each year are missing from the calendar (lifecycle.calendar_watch)."""
    return calendar_warn()
