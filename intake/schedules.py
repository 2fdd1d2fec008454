"""Intake's periodic job: the nightly check of the reports' counters (intake.tally_check)."""

from django_q.models import Schedule

from core.schedules import ensure_schedule

CHECK_CRON = "30 2 * * *"  # 02:30 local time, after the day's work and before the reports'


def ensure_schedules(**kwargs) -> None:
    ensure_schedule("report counters check", "intake.tasks.tallies_check_nightly",
                    schedule_type=Schedule.CRON, cron=CHECK_CRON, repeats=-1)
