"""Routing's periodic job: the triage model retrained on the 2nd of each month at 02:00,
local time (after the 1st's monthly report drafts), from the decisions recorded so far."""

from croniter import croniter
from django.utils import timezone
from django_q.models import Schedule

from core.schedules import ensure_schedule

RETRAIN_CRON = "0 2 2 * *"
NAME = "triage model retraining"


def ensure_schedules(**kwargs) -> None:
    fields = {"schedule_type": Schedule.CRON, "cron": RETRAIN_CRON, "repeats": -1}
    if not Schedule.objects.filter(name=NAME).exists():
        now = timezone.localtime()
        fields["next_run"] = croniter(RETRAIN_CRON, now).get_next(type(now))
    ensure_schedule(NAME, "routing.tasks.triage_retrain", **fields)
