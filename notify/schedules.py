"""Notify's periodic jobs: a sweep of the outbox every minute (a backstop for the task
queued after each notification, and the retry clock), and the daily digests."""

from datetime import datetime, timedelta

from django.utils import timezone
from django_q.models import Schedule

from core.schedules import ensure_schedule
from notify.delivery import DIGEST_AT, UB


def next_digest_run(now: datetime | None = None) -> datetime:
    """The next DIGEST_AT in Ulaanbaatar. Ulaanbaatar keeps no summer time, so a DAILY
    schedule started there stays there."""
    local = timezone.localtime(now or timezone.now(), UB)
    run = datetime.combine(local.date(), DIGEST_AT, tzinfo=UB)
    return run if run > local else run + timedelta(days=1)


def ensure_schedules(**kwargs) -> None:
    ensure_schedule(
        "notification dispatch", "notify.tasks.send_pending", schedule_type=Schedule.MINUTES,
        minutes=1, repeats=-1,
    )
    # The first run time is set only when the schedule is made: a later migrate must not
    # move a run that is already planned.
    fields = {"func": "notify.tasks.send_digests", "schedule_type": Schedule.DAILY,
              "repeats": -1}
    Schedule.objects.update_or_create(
        name="notification digest", defaults=fields,
        create_defaults={**fields, "next_run": next_digest_run()},
    )
