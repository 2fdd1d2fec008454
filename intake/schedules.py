"""Intake's periodic job: the nightly check of the reports' counters (intake.tally_check), a
cron schedule in the task queue's time zone (Asia/Ulaanbaatar)."""

from croniter import croniter
from django.utils import timezone
from django_q.models import Schedule

from core.schedules import ensure_schedule

NAME, FUNC = "report counters check", "intake.tasks.tallies_check_nightly"
CHECK_CRON = "30 2 * * *"  # 02:30 local time, after the day's work


def ensure_schedules(**kwargs) -> None:
    if not Schedule.objects.filter(name=NAME).exists():
        now = timezone.localtime()
        Schedule.objects.create(name=NAME, func=FUNC, schedule_type=Schedule.CRON,
                                cron=CHECK_CRON, repeats=-1,
                                next_run=croniter(CHECK_CRON, now).get_next(type(now)))
    else:
        ensure_schedule(NAME, FUNC, schedule_type=Schedule.CRON, cron=CHECK_CRON, repeats=-1)
