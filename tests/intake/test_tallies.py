"""The reports' counters (intake.tallies) follow every workflow that moves a figure, in its
transaction; the nightly check finds a figure written behind their back, keeps it in the
audit trail and tells the administrators; concurrent writers both count."""

import importlib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from audit.models import AuditEvent
from intake.case.services import complaint_acknowledge, complaint_close, resolve_due_extend
from intake.models import Channel, Complaint, Kind
from intake.services import Content, staff_channel_log
from intake.tallies import tallies_stored, tally_add
from intake.tally_check import recent_months, tallies_check_recent, tallies_compare
from intake.tally_models import Tally
from notify.models import Kind as Notice
from notify.models import Notification
from reporting.figures import ROWS, month_period, period_figures
from routing.models import AgencyAnswer, TriageDecision
from routing.services import answer_record, mark_delivered
from tests.demo_model import SEEDS_THE_DEMO
from tests.racing import at_once
from tests.routing.helpers import approved_referral, make_agency, seeded_categories, triage

UB = ZoneInfo("Asia/Ulaanbaatar")
NOW = datetime(2026, 10, 20, 11, tzinfo=UB)
OCTOBER = month_period(date(2026, 10, 1))


def _log(units, personas, *, received_at=NOW - timedelta(days=1), channel=Channel.LETTER):
    return staff_channel_log(unit=units["DG"], channel=channel, kind=Kind.COMPLAINT,
                             received_at=received_at,
                             content=Content(body="Хээл хахууль нэхсэн."),
                             logged_by=personas["clerk"]).complaint


def _counts(unit):
    return {key: n for (_unit, _month, key), n in
            tallies_stored(unit_ids=[unit.pk], first=OCTOBER.first,
                           last=OCTOBER.first).items()}


@pytest.mark.django_db
def test_every_workflow_keeps_the_counters_equal_to_the_records(units, personas):
    seeded_categories(["bribery", "red_tape"])
    agency = make_agency()
    with time_machine.travel(NOW, tick=False):
        complaint = _log(units, personas)
        assert tallies_compare() == []
        complaint_acknowledge(complaint=complaint, by=personas["officer"])
        triage(complaint, personas["officer"], ("red_tape",), corruption=False)
        assert tallies_compare() == []
        # Re-categorised: the count moves from the old category to the new one.
        triage(Complaint.objects.get(pk=complaint.pk), personas["officer"],
               ("bribery",), corruption=True)
        counts = _counts(units["DG"])
        assert counts["category:bribery"] == 1 and "category:red_tape" not in counts
        assert counts["corruption"] == 1 and counts["triaged"] == 1
        referral = approved_referral(Complaint.objects.get(pk=complaint.pk),
                                     personas["officer"], personas["head"], agency)
        assert tallies_compare() == []
        mark_delivered(referral, at=NOW)
        answer_record(referral=referral, kind=AgencyAnswer.Kind.ACKNOWLEDGEMENT,
                      answered_on=NOW.date(), agency_reference="АТГ-1")
        assert tallies_compare() == []
        complaint = Complaint.objects.get(pk=complaint.pk)
        resolve_due_extend(complaint=complaint, reason="Шалгалт үргэлжилж байна.",
                           by=personas["officer"])
        complaint_close(complaint=Complaint.objects.get(pk=complaint.pk), reason="Шийдсэн.",
                        by=personas["officer"])
        assert tallies_compare() == []
    counts = _counts(units["DG"])
    assert counts["status:closed"] == 1 and "status:referred" not in counts
    assert counts["clock:acknowledge:met"] == 1
    dg = units["DG"].pk
    assert (period_figures([dg], OCTOBER, with_checkpoint=False)
            == period_figures([dg], OCTOBER, with_checkpoint=False, source=ROWS))


@pytest.mark.django_db
def test_a_report_reads_a_fixed_number_of_queries_whatever_the_number_of_complaints(
        units, personas, django_assert_max_num_queries):
    with time_machine.travel(NOW, tick=False):
        for _ in range(3):
            _log(units, personas)
        with django_assert_max_num_queries(12) as few:
            period_figures([units["DG"].pk], OCTOBER)
        for _ in range(5):
            _log(units, personas, channel=Channel.EMAIL)
        with django_assert_max_num_queries(len(few.captured_queries)):
            figures = period_figures([units["DG"].pk], OCTOBER)
    assert figures["received"]["by_channel"] == {"letter": 3, "email": 5}


@pytest.mark.django_db
def test_a_category_changed_behind_the_counters_back_is_found_audited_and_alerted(
        units, personas):
    seeded_categories(["bribery", "red_tape"])
    with time_machine.travel(NOW, tick=False):
        complaint = _log(units, personas)
        decision = triage(complaint, personas["officer"], ("red_tape",), corruption=False)
        # A raw UPDATE, as a hand-made fix in the database would be: no workflow, no counter.
        TriageDecision.objects.filter(pk=decision.pk).update(corruption_related=True)
        Complaint.objects.filter(pk=complaint.pk).update(channel=Channel.EMAIL)
        assert tallies_check_recent().startswith("3 counter(s) differed")
    events = AuditEvent.objects.filter(action="tally.differed").order_by("seq")
    assert [tuple(event.details_dict[key] for key in ("figure", "kept", "counted"))
            for event in events] == [("channel:email", 0, 1), ("channel:letter", 1, 0),
                                     ("corruption", 0, 1)]
    assert {event.details_dict["month"] for event in events} == {"2026-10"}
    told = Notification.objects.filter(kind=Notice.TALLY_MISMATCH)
    assert set(told.values_list("recipient_id", flat=True)) == {personas["admin"].pk}
    assert {n.event.subject["figure"] for n in told} == {"channel:email", "channel:letter",
                                                         "corruption"}
    assert all(set(n.event.subject) == {"month", "unit_code", "figure"} for n in told)
    # Put right: the next night finds nothing, and the report reads what the rows say.
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert "match the records" in tallies_check_recent()
    assert period_figures([units["DG"].pk], OCTOBER, with_checkpoint=False)[
        "received"]["by_channel"] == {"email": 1}


@pytest.mark.django_db
def test_the_command_reports_differences_and_repairs_only_when_asked(units, personas):
    with time_machine.travel(NOW, tick=False):
        _log(units, personas)
    Tally.objects.update(count=7)
    with pytest.raises(CommandError, match="differ"):
        call_command("tallies_check")
    assert Tally.objects.filter(count=7).exists()
    call_command("tallies_check", "--repair", "--from", "2026-01", "--to", "2026-12")
    assert tallies_compare() == []
    call_command("tallies_check")


@pytest.mark.django_db
def test_the_migration_fills_the_counters_from_the_records(units, personas):
    with time_machine.travel(NOW, tick=False):
        _log(units, personas)
        _log(units, personas, received_at=datetime(2026, 9, 30, 23, 30, tzinfo=UB))
    Tally.objects.all().delete()
    from django.apps import apps

    importlib.import_module("intake.migrations.0009_tallies_fill").fill(apps, None)
    assert tallies_compare() == []
    assert Tally.objects.filter(month=date(2026, 9, 1), key="channel:letter").get().count == 1


def test_the_recent_months_are_this_one_and_the_two_before():
    assert recent_months(date(2026, 1, 15)) == (date(2025, 11, 1), date(2026, 1, 1))


@pytest.mark.django_db(transaction=True)
def test_writers_at_once_each_count(units):
    """On PostgreSQL the threads race for the same counter (created by the first, added to
    by the rest); SQLite takes one writer at a time, so there they simply follow."""
    if connection.vendor != "postgresql":
        pytest.skip("threads write at once only on PostgreSQL")
    unit_id = units["DG"].pk

    def work():
        for _ in range(10):
            with transaction.atomic():
                tally_add(unit_id=unit_id, moment=NOW, key="channel:web")
                tally_add(unit_id=unit_id, moment=NOW, key="kind:complaint", delta=2)
        return True

    at_once(work, 8)
    counts = _counts(units["DG"])
    assert counts == {"channel:web": 80, "kind:complaint": 160}


@pytest.mark.django_db
@SEEDS_THE_DEMO
def test_the_demo_data_counts_itself(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo")
    assert Tally.objects.filter(count__gt=0).exists()
    assert tallies_compare() == []


@pytest.mark.django_db
def test_the_nightly_check_is_a_schedule_after_migrate():
    from django.utils.module_loading import import_string
    from django_q.models import Schedule

    check = Schedule.objects.get(name="report counters check")
    assert (check.func, check.schedule_type, check.cron, check.repeats) == (
        "intake.tasks.tallies_check_nightly", Schedule.CRON, "30 2 * * *", -1)
    assert callable(import_string(check.func))
    with time_machine.travel(NOW, tick=False):
        assert import_string(check.func)() == "counters of 2026-08..2026-10 match the records"
