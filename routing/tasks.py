"""Routing's tasks, run by the django-q2 worker. Delivering referrals is the outbox's
(outbox.tasks)."""


def retention_sweep() -> str:
    """Daily (routing/schedules.py): destroy the content of cases whose time is up and
    warn of those whose time is near (routing.retention)."""
    from routing import retention

    return str(retention.sweep())
