"""What the audit app sets up after every migrate: its schedule and its triggers."""

from django.db import connections
from django_q.models import Schedule

from audit import triggers
from core.schedules import ensure_schedule


def ensure_schedules() -> None:
    # Every minute bounds how many recent events could be cut off unseen by someone who
    # controls the database (docs/audit.md, "What verification cannot see"). The task makes
    # no checkpoint while nothing new was recorded, so a quiet minute costs two small reads.
    ensure_schedule(
        "audit checkpoint", "audit.tasks.checkpoint", schedule_type=Schedule.MINUTES,
        minutes=1, repeats=-1,
    )


def after_migrate(using: str = "default", **kwargs) -> None:
    ensure_schedules()
    connection = connections[using]
    if triggers.TABLES[0] not in connection.introspection.table_names():
        return  # migrated backwards past the audit tables
    # The migration installed them; putting them back here undoes a flush in tests, or
    # anyone having dropped them, at the next deployment.
    if not triggers.installed(connection):
        triggers.install(connection)
