"""Reporting's periodic jobs: the drafts on the 1st of each month (a cron schedule in the
task queue's time zone, Asia/Ulaanbaatar), and a daily look for reports that are late.

The task queue does not catch up (Q_CLUSTER["catch_up"] is False): after downtime the
drafting job runs once, for last month only, and drafting is idempotent besides."""

from croniter import croniter
from django.utils import timezone
from django_q.models import Schedule

from core.schedules import ensure_schedule

DRAFT_CRON = "0 1 1 * *"  # 01:00 on the 1st, local time


def _next(cron: str):
    return croniter(cron, timezone.localtime()).get_next(type(timezone.localtime()))


def ensure_schedules(**kwargs) -> None:
    if not Schedule.objects.filter(name="monthly report drafts").exists():
        Schedule.objects.create(
            name="monthly report drafts", func="reporting.tasks.draft_due",
            schedule_type=Schedule.CRON, cron=DRAFT_CRON, repeats=-1,
            next_run=_next(DRAFT_CRON),
        )
    else:
        ensure_schedule("monthly report drafts", "reporting.tasks.draft_due",
                        schedule_type=Schedule.CRON, cron=DRAFT_CRON, repeats=-1)
    ensure_schedule(
        "late monthly reports", "reporting.tasks.remind_late", schedule_type=Schedule.DAILY,
        repeats=-1,
    )
