"""The outbox's periodic job: a sweep every minute that delivers whatever is due (a backstop
for the task queued when a row is written, and the retry clock). It keeps the name it had
when it delivered referrals only, so that an existing schedule is updated, not doubled."""

from django_q.models import Schedule

from core.schedules import ensure_schedule


def ensure_schedules(**kwargs) -> None:
    ensure_schedule(
        "referral delivery", "outbox.tasks.deliver_due", schedule_type=Schedule.MINUTES,
        minutes=1, repeats=-1,
    )
