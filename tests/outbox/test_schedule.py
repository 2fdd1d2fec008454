"""The outbox's sweep runs every minute; a database whose schedule still names the task where
it used to live (routing.tasks) has it pointed at the outbox's, not doubled."""

import pytest
from django_q.models import Schedule

from outbox import subjects
from outbox.schedules import ensure_schedules
from routing.models import Referral

pytestmark = pytest.mark.django_db


def test_the_sweep_calls_the_outboxs_task_every_minute():
    sweep = Schedule.objects.get(name="referral delivery")
    assert (sweep.func, sweep.schedule_type, sweep.minutes) == (
        "outbox.tasks.deliver_due", Schedule.MINUTES, 1)


def test_a_schedule_naming_the_old_task_is_updated_in_place():
    Schedule.objects.filter(name="referral delivery").update(func="routing.tasks.deliver_due")
    ensure_schedules()
    assert list(Schedule.objects.filter(name="referral delivery").values_list("func", flat=True)
                ) == ["outbox.tasks.deliver_due"]
    assert not Schedule.objects.filter(func__startswith="routing.tasks.deliver").exists()


def test_every_sender_of_documents_registered_its_subject():
    for kind in (Referral.OUTBOX_KIND, "report", "audit_checkpoint"):
        assert subjects.is_registered(kind), kind
