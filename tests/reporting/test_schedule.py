"""The periodic jobs: the drafts on the 1st make one report per unit and month however often
(and however concurrently) they run, do not catch up after downtime, and are registered as a
cron schedule in local time; the daily look for late reports tells each unit once, after the
due day only, and the parent unit's head with it."""

import contextlib
import threading
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_q.models import Schedule

from notify.models import Event, Notification
from notify.models import Kind as Notice
from org.models import Unit
from reporting import services, tasks
from reporting.models import MonthlyReport
from reporting.schedules import DRAFT_CRON

UB = timezone.get_default_timezone()
OCTOBER = date(2026, 10, 1)
FIRST_OF_NOVEMBER = datetime(2026, 11, 1, 1, 0, tzinfo=UB)


@pytest.fixture(autouse=True)
def _own_checkpoint_folder(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


def reports() -> list[tuple[str, str, int]]:
    return sorted(MonthlyReport.objects.values_list("unit__code", "period", "version"))


def one_each(period: date) -> list[tuple[str, date, int]]:
    return sorted((code, period, 1) for code in
                  Unit.objects.active().values_list("code", flat=True))


# --- drafting on the 1st ---------------------------------------------------------------------

@pytest.mark.django_db
def test_the_job_drafts_one_report_per_unit_however_often_it_runs(units):
    with time_machine.travel(FIRST_OF_NOVEMBER, tick=False):
        assert tasks.draft_due() == "3 drafted for 2026-10"
        assert tasks.draft_due() == "0 drafted for 2026-10"
    assert reports() == one_each(OCTOBER)
    assert MonthlyReport.objects.filter(drafted_by__isnull=True).count() == 3


@pytest.mark.django_db
def test_after_downtime_the_job_drafts_last_month_only(units):
    with time_machine.travel(FIRST_OF_NOVEMBER, tick=False):
        tasks.draft_due()
    # The server was down from November to February: the job runs once, on its return.
    with time_machine.travel(datetime(2027, 2, 3, 9, tzinfo=UB), tick=False):
        assert tasks.draft_due() == "3 drafted for 2027-01"
    assert reports() == sorted(one_each(OCTOBER) + one_each(date(2027, 1, 1)))
    assert not MonthlyReport.objects.filter(period__in=[date(2026, 11, 1), date(2026, 12, 1)])
    # The months skipped are drafted on demand.
    with time_machine.travel(datetime(2027, 2, 3, 9, tzinfo=UB), tick=False):
        _report, created = services.report_draft(unit=units["DG"], period=date(2026, 12, 1))
    assert created


@pytest.mark.django_db
def test_a_month_that_has_not_begun_is_not_drafted(units):
    with time_machine.travel(FIRST_OF_NOVEMBER, tick=False):
        with pytest.raises(services.ValidationError):
            services.report_draft(unit=units["DG"], period=date(2026, 12, 1))


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_still_draft_one_report_per_unit(units):
    """Two workers picking up the job together. On PostgreSQL the threads race for the same
    rows. The SQLite test database lives in memory with a shared cache, whose table locks
    fail at once instead of waiting ("database table is locked"), so there the two take
    turns, as two workers on a real SQLite file do behind its write lock."""
    start, failures, results = threading.Barrier(2), [], []
    turns = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()

    def run():
        try:
            start.wait()
            with turns:
                results.append(tasks.draft_due())
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connection.close()

    with time_machine.travel(FIRST_OF_NOVEMBER, tick=True):
        workers = [threading.Thread(target=run) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
    assert failures == []
    assert reports() == one_each(OCTOBER)
    made = sorted(int(result.split()[0]) for result in results)
    assert sum(made) == 3, results


# --- the schedule itself ---------------------------------------------------------------------

def _first_of_next_month_at_one(now: datetime) -> datetime:
    candidate = now.replace(day=1, hour=1, minute=0, second=0, microsecond=0)
    if candidate <= now:
        candidate = (candidate + timedelta(days=32)).replace(day=1)
    return candidate


@pytest.mark.django_db
def test_drafting_is_a_cron_schedule_at_one_oclock_local_time_on_the_1st():
    schedule = Schedule.objects.get(name="monthly report drafts")
    assert schedule.func == "reporting.tasks.draft_due"
    assert schedule.schedule_type == Schedule.CRON and schedule.cron == DRAFT_CRON == "0 1 1 * *"
    assert schedule.repeats == -1
    next_run = timezone.localtime(schedule.next_run, UB)
    assert next_run == _first_of_next_month_at_one(timezone.localtime(timezone.now(), UB))
    assert (next_run.day, next_run.hour, next_run.minute) == (1, 1, 0)

    late = Schedule.objects.get(name="late monthly reports")
    assert late.func == "reporting.tasks.remind_late"
    assert late.schedule_type == Schedule.DAILY


def test_the_task_queue_does_not_catch_up_missed_runs():
    assert settings.Q_CLUSTER["catch_up"] is False
    assert settings.TIME_ZONE == "Asia/Ulaanbaatar"


@pytest.mark.django_db
def test_running_migrate_again_keeps_the_schedules_next_run():
    from reporting.schedules import ensure_schedules

    schedule = Schedule.objects.get(name="monthly report drafts")
    Schedule.objects.filter(pk=schedule.pk).update(
        next_run=datetime(2030, 5, 1, 1, 0, tzinfo=UB))
    ensure_schedules()
    assert Schedule.objects.filter(name="monthly report drafts").count() == 1
    assert Schedule.objects.get(pk=schedule.pk).next_run == datetime(2030, 5, 1, 1, 0,
                                                                     tzinfo=UB)


# --- late reports ------------------------------------------------------------------------------

def late_events(unit) -> list[Event]:
    return list(Event.objects.filter(kind=Notice.REPORT_LATE, unit=unit))


def remind(day: date) -> str:
    with time_machine.travel(datetime.combine(day, datetime.min.time(), tzinfo=UB)
                             + timedelta(hours=9), tick=False):
        return tasks.remind_late()


@pytest.mark.django_db
def test_a_late_report_is_reminded_once_after_its_due_day(units, personas):
    dg = units["DG"]
    due = services.due_day(dg, OCTOBER)
    assert due > date(2026, 11, 1)

    remind(date(2026, 11, 2))
    remind(due)
    assert late_events(dg) == []

    remind(due + timedelta(days=1))
    remind(due + timedelta(days=2))
    [event] = late_events(dg)
    assert event.subject["month"] == "2026-10" and event.subject["state"] == "missing"
    told = set(Notification.objects.filter(event=event).values_list("recipient__username",
                                                                   flat=True))
    assert {"clerk", "head", "national_head"} <= told
    assert "outsider" not in told and "officer" not in told


@pytest.mark.django_db
def test_a_drafted_but_unapproved_report_is_late_too(units, personas):
    dg = units["DG"]
    with time_machine.travel(FIRST_OF_NOVEMBER, tick=False):
        report, _created = services.report_draft(unit=dg, period=OCTOBER)
    remind(services.due_day(dg, OCTOBER) + timedelta(days=1))
    [event] = late_events(dg)
    assert event.subject["report"] == report.pk and event.subject["state"] == "draft"


@pytest.mark.django_db
def test_an_approved_report_is_not_late(units, personas):
    dg = units["DG"]
    with time_machine.travel(datetime(2026, 11, 2, 10, tzinfo=UB), tick=False):
        report, _created = services.report_draft(unit=dg, period=OCTOBER)
        report = services.report_prepare(report=report, by=personas["clerk"])
        services.report_approve(report=report, by=personas["head"])

    remind(services.due_day(dg, OCTOBER) + timedelta(days=1))

    assert late_events(dg) == []
    # The other departments, without a report, are.
    assert len(late_events(units["DU"])) == 1
