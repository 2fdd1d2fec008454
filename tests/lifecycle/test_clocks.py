"""The legal clocks: refer-by dates counted in working days across weekends and the lunar new
year, reminders a few working days before a clock runs out, and overdue clocks escalating
once per step, to the unit's head and then the parent's. Each step is one Escalation row, one
event and one notification per person told (notify), in one transaction; its email is
queued there and sent by notify's task, and says nothing about the case."""

import json
import logging
from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail, serializers
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditEvent
from audit.services import verify_chain
from intake.case.services import complaint_acknowledge, resolve_due_extend
from intake.models import Channel, Complaint, Kind, Recusal
from intake.services import Content, staff_channel_log
from lifecycle import clocks
from lifecycle.clocks import clocks_of_case, escalations_for, scan
from lifecycle.models import Escalation
from notify.models import Channel as NoticeChannel
from notify.models import Dispatch, Event, Notification
from notify.models import Kind as Notice
from org.calendar import add_working_days, is_working_day
from routing.models import AgencyAnswer, Referral
from routing.services import answer_record, mark_delivered
from tests.conftest import sign_in
from tests.routing.helpers import approved_referral, make_agency, prepare, triage

pytestmark = pytest.mark.django_db

UB = ZoneInfo("Asia/Ulaanbaatar")
SITE = "https://shugel.example"
CANARY = "ZX-CANARY-41c9"
REPORTER = "Canary Reporter-7d20"
BODY = f"Бичиг хэргийн ажилтан {CANARY} гэрчилгээ олгохдоо 50000 төгрөг нэхсэн."
Clock = Escalation.Clock


@pytest.fixture(autouse=True)
def _clock_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = SITE
    settings.REFER_WORKING_DAYS = 5
    settings.ESCALATION_WORKING_DAYS = 3
    settings.REMINDER_WORKING_DAYS_AHEAD = 2


@pytest.fixture
def staff(personas):
    """The personas, with email addresses (the fixtures make them without)."""
    for name, user in personas.items():
        user.email = f"{name}@shugel.example"
        user.save(update_fields=["email"])
    return personas


@pytest.fixture
def run_scan(django_capture_on_commit_callbacks):
    """Runs the scan as the schedule does (no arguments) at nine in the morning of `day`,
    sending what it sends after commit."""

    def run(day: date):
        with time_machine.travel(_at(day, 9), tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                return scan()

    return run


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UB)


def _case(units, people, received: date, *, unit="DG", logged_by="clerk") -> Complaint:
    moment = _at(received)
    with time_machine.travel(moment, tick=False):
        return staff_channel_log(
            unit=units[unit], channel=Channel.LETTER, kind=Kind.COMPLAINT, received_at=moment,
            content=Content(body=BODY, reporter={"name": REPORTER, "phone": "+97699112233"}),
            logged_by=people[logged_by],
        ).complaint


def _on(day: date, action, *args, **kwargs):
    with time_machine.travel(_at(day, 11), tick=False):
        return action(*args, **kwargs)


def _case_path(unit_code: str, reference: str) -> str:
    return reverse("intake:case", kwargs={"unit_code": unit_code, "reference": reference})


def _steps(clock=None) -> list[tuple[str, int, str]]:
    """The escalations taken (steps 1 and 2)."""
    found = Escalation.objects.filter(step__gte=1).order_by("clock", "step", "due")
    if clock:
        found = found.filter(clock=clock)
    return list(found.values_list("clock", "step", "to_unit__code"))


def _reminders(clock=None) -> list[tuple[str, date, str]]:
    """The reminders sent (step 0): which clock, due when, to which unit."""
    found = Escalation.objects.filter(step=0).order_by("clock", "due")
    if clock:
        found = found.filter(clock=clock)
    return list(found.values_list("clock", "due", "to_unit__code"))


def _told(kind=Notice.CLOCK_OVERDUE) -> list[tuple[str, int, str]]:
    """Who was notified of `kind`: (username, step, unit the notification is of), sorted."""
    return sorted(
        (notification.recipient.username, notification.event.subject.get("step"),
         notification.unit.code)
        for notification in Notification.objects.filter(kind=kind)
        .select_related("recipient", "event", "unit")
    )


def _mailed(kind=Notice.CLOCK_OVERDUE) -> list[str]:
    """The addresses the emails telling of `kind` went to (notify's subject names the
    kind), sorted."""
    with translation.override(settings.LANGUAGE_CODE):
        label = str(Notice(kind).label)
    return sorted(address for message in mail.outbox if label in message.subject
                  for address in message.to)


def _deliver(referral: Referral, day: date) -> Referral:
    """The agency's API took the package on `day` (as routing.delivery does)."""
    with time_machine.travel(_at(day, 11), tick=False), transaction.atomic():
        locked = Referral.objects.select_for_update().select_related("agency", "unit").get(
            pk=referral.pk)
        mark_delivered(locked, at=timezone.now())
    return locked


# --- refer-by dates --------------------------------------------------------------------------

def test_refer_by_date_counts_working_days_across_a_weekend(units, personas):
    case = _case(units, personas, date(2026, 3, 13))  # a Friday
    decision = _on(date(2026, 3, 13), triage, case, personas["officer"])
    # Mon 16, Tue 17, Wed 18, Thu 19, Fri 20: the weekend does not count.
    assert decision.refer_due == date(2026, 3, 20)


def test_refer_by_date_of_a_case_received_before_the_lunar_new_year_falls_after_it(
        units, personas):
    lunar_new_year = [date(2026, 2, 18), date(2026, 2, 19), date(2026, 2, 20)]
    assert not any(is_working_day(day, units["DG"]) for day in lunar_new_year)
    case = _case(units, personas, date(2026, 2, 17))  # the Tuesday before Tsagaan Sar
    decision = _on(date(2026, 2, 17), triage, case, personas["officer"])
    # Wed–Fri are Tsagaan Sar, then the weekend: Mon 23 … Fri 27.
    assert decision.refer_due == date(2026, 2, 27)


def test_a_case_not_about_corruption_has_no_refer_clock(units, personas, run_scan):
    case = _case(units, personas, date(2026, 3, 2))
    decision = _on(date(2026, 3, 2), triage, case, personas["officer"], ("red_tape",),
                   corruption=False)
    assert decision.refer_due is None
    run_scan(date(2026, 3, 20))
    assert _steps(Clock.REFER) == []


# --- escalation ------------------------------------------------------------------------------

@pytest.fixture
def refer_case(units, staff):
    """Received on Tuesday 10 February 2026 and acknowledged at once, so that only the refer
    clock runs: due Tuesday 17th, the last working day before Tsagaan Sar."""
    case = _case(units, staff, date(2026, 2, 10))
    _on(date(2026, 2, 10), complaint_acknowledge, complaint=case, by=staff["officer"])
    decision = _on(date(2026, 2, 10), triage, case, staff["officer"])
    assert decision.refer_due == date(2026, 2, 17)
    return case


def test_an_overdue_refer_clock_goes_to_the_head_then_to_the_parent(
        refer_case, staff, units, run_scan, client):
    case = refer_case
    run_scan(date(2026, 2, 17))
    assert _steps() == [] and _told() == [] and _mailed() == []

    summary = run_scan(date(2026, 2, 18))  # a holiday: the scan runs all the same
    assert _steps() == [(Clock.REFER, 1, "DG")]
    assert summary.taken == {(Clock.REFER, 1): 1} and summary.notified == 1
    assert _told() == [("head", 1, "DG")]
    assert _mailed() == ["head@shugel.example"]
    [event] = Event.objects.filter(kind=Notice.CLOCK_OVERDUE)
    assert event.subject == {"complaint": case.pk, "reference": case.reference,
                             "clock": "refer", "step": 1, "due": "2026-02-17"}
    assert [item.clock for item in clocks_of_case(case, date(2026, 2, 18)).overdue] == [Clock.REFER]
    assert [(step.step, step.to_unit.code) for step in escalations_for(case)] == [(1, "DG")]
    case.refresh_from_db()
    assert case.escalated_to is None

    # The head had three more working days: Mon 23, Tue 24, Wed 25.
    assert add_working_days(date(2026, 2, 17), 3, units["DG"]) == date(2026, 2, 25)
    run_scan(date(2026, 2, 25))
    assert _steps() == [(Clock.REFER, 1, "DG")] and len(_mailed()) == 1

    run_scan(date(2026, 2, 26))
    assert _steps() == [(Clock.REFER, 1, "DG"), (Clock.REFER, 2, "UBEG")]
    # The parent's heads are told as heads of the parent: their notification opens the case
    # from their own unit.
    assert _told() == [("head", 1, "DG"), ("national_head", 2, "UBEG")]
    assert _mailed() == ["head@shugel.example", "national_head@shugel.example"]
    case.refresh_from_db()
    assert case.escalated_to == units["UBEG"]

    events = AuditEvent.objects.filter(action="clock.escalated").order_by("seq")
    assert [event.actor_kind for event in events] == ["system", "system"]
    # The trail names the rows as it did before the model moved to lifecycle (issue 16).
    assert [(event.object_type, event.object_id) for event in events] == [
        ("routing.escalation", str(pk)) for pk in Escalation.objects.filter(step__gte=1)
        .order_by("step").values_list("pk", flat=True)]
    assert [json.loads(event.details) for event in events] == [
        {"clock": "refer", "step": step, "due": "2026-02-17", "complaint": case.reference,
         "to_unit": to_unit, "case_escalated": step == 2}
        for step, to_unit in ((1, "DG"), (2, "UBEG"))
    ]
    assert verify_chain().ok

    # The parent's head finds the case in their own queue, and their notification leads
    # to it.
    with time_machine.travel(_at(date(2026, 2, 26)), tick=True):
        sign_in(client, staff["national_head"])
        page = client.get(reverse("intake:queue", kwargs={"unit_code": "UBEG"}))
        centre = client.get(reverse("notify:centre"))
    assert page.status_code == 200 and case.reference in page.content.decode()
    assert _case_path("UBEG", case.reference) in centre.content.decode()


def test_a_head_recused_from_the_case_is_not_told(refer_case, staff, run_scan):
    Recusal.objects.create(complaint=refer_case, user=staff["head"])
    run_scan(date(2026, 2, 17))
    run_scan(date(2026, 2, 18))
    assert _steps() == [(Clock.REFER, 1, "DG")]
    assert _reminders() == [(Clock.REFER, date(2026, 2, 17), "DG")]
    assert _told(Notice.CLOCK_APPROACHING) == [("officer", 0, "DG")]
    assert _told() == [] and _mailed() == []
    assert not Notification.objects.filter(recipient=staff["head"],
                                           kind__startswith="clock.").exists()


def test_a_case_already_with_the_parent_tells_the_parents_head_at_the_first_step(
        refer_case, staff, units, run_scan):
    """As intake does when the unit's head is named in the complaint."""
    Recusal.objects.create(complaint=refer_case, user=staff["head"])
    Complaint.objects.filter(pk=refer_case.pk).update(escalated_to=units["UBEG"])
    run_scan(date(2026, 2, 18))
    assert _told() == [("national_head", 1, "UBEG")]
    assert _mailed() == ["national_head@shugel.example"]


def test_a_unit_without_a_parent_stops_at_the_first_step(units, staff, run_scan):
    case = _case(units, staff, date(2026, 3, 2), unit="UBEG", logged_by="national_head")
    run_scan(date(2026, 6, 30))
    assert {(clock, step) for clock, step, _unit in _steps()} == {
        (Clock.ACKNOWLEDGE, 1), (Clock.RESOLVE, 1)}
    assert all(to_unit == "UBEG" for *_rest, to_unit in _steps())
    case.refresh_from_db()
    assert case.escalated_to is None


def test_a_scan_run_twice_takes_each_step_once(refer_case, run_scan):
    first = run_scan(date(2026, 2, 26))
    second = run_scan(date(2026, 2, 26))
    assert first.taken == {(Clock.REFER, 1): 1, (Clock.REFER, 2): 1}
    assert not second.taken and second.overdue == {Clock.REFER: 1}
    assert _steps() == [(Clock.REFER, 1, "DG"), (Clock.REFER, 2, "UBEG")]
    assert _mailed() == ["head@shugel.example", "national_head@shugel.example"]
    assert AuditEvent.objects.filter(action="clock.escalated").count() == 2


def test_a_scan_that_crashes_half_way_takes_each_step_once_when_run_again(
        refer_case, run_scan, monkeypatch):
    real_record, calls = clocks.record, []

    def dies_on_the_second_step(**kwargs):
        calls.append(kwargs["details"]["step"])
        if len(calls) == 2:
            raise RuntimeError("the worker was killed")
        return real_record(**kwargs)

    monkeypatch.setattr(clocks, "record", dies_on_the_second_step)
    with pytest.raises(RuntimeError):
        run_scan(date(2026, 2, 26))
    assert _steps() == [(Clock.REFER, 1, "DG")]

    monkeypatch.setattr(clocks, "record", real_record)
    run_scan(date(2026, 2, 26))
    run_scan(date(2026, 2, 27))
    assert _steps() == [(Clock.REFER, 1, "DG"), (Clock.REFER, 2, "UBEG")]
    assert _told() == [("head", 1, "DG"), ("national_head", 2, "UBEG")]
    assert _mailed() == ["head@shugel.example", "national_head@shugel.example"]
    assert AuditEvent.objects.filter(action="clock.escalated").count() == 2
    assert verify_chain().ok


def test_the_same_step_taken_by_a_scan_running_alongside_is_not_taken_again(
        refer_case, run_scan, units):
    """The unique constraint, not the scan's own look-up, is what keeps a step single."""
    Escalation.objects.create(clock=Clock.REFER, complaint=refer_case, step=1,
                              due=date(2026, 2, 17), to_unit=units["DG"])
    item = clocks.find_overdue(date(2026, 2, 18))[0]
    assert clocks._escalate(item, 1, units["DG"], {unit.pk: unit for unit in units.values()}) \
        is None
    assert Escalation.objects.count() == 1
    summary = run_scan(date(2026, 2, 18))
    assert not summary.taken and _told() == [] and mail.outbox == []


def test_an_extended_resolution_deadline_escalates_afresh_when_it_runs_out(
        units, staff, run_scan):
    case = _case(units, staff, date(2026, 1, 5))
    _on(date(2026, 1, 5), complaint_acknowledge, complaint=case, by=staff["officer"])
    case.refresh_from_db()
    first_due = case.resolve_due
    run_scan(add_working_days(first_due, 1))
    assert _steps(Clock.RESOLVE) == [(Clock.RESOLVE, 1, "DG")]

    case = _on(add_working_days(first_due, 1), resolve_due_extend, complaint=case,
               reason="Нэмэлт шалгалт хийнэ.", by=staff["officer"])
    run_scan(add_working_days(first_due, 2))
    assert len(_steps(Clock.RESOLVE)) == 1  # the new deadline has not run out
    run_scan(add_working_days(case.resolve_due, 1))
    assert list(Escalation.objects.filter(clock=Clock.RESOLVE, step=1).order_by("due")
                .values_list("step", "due")) == [(1, first_due), (1, case.resolve_due)]



def test_the_case_page_shows_the_overdue_clocks_and_escalations_under_the_triage_decision(
        refer_case, staff, run_scan, client):
    """lifecycle adds them inside routing's triage card (routing.triage_notes), where they
    were when the clocks were routing's: after the decision, before the referrals."""
    run_scan(date(2026, 2, 26))
    with time_machine.travel(_at(date(2026, 2, 26)), tick=True), translation.override("en"):
        sign_in(client, staff["head"])
        page = client.get(reverse("intake:case", kwargs={
            "unit_code": "DG", "reference": refer_case.reference})).content.decode()
    triage_card = page[page.index('id="triage"'):page.index('id="referrals"')]
    assert '<div class="errors" role="status"><p>Overdue: Referral deadline (' in triage_card
    assert ("<p class=\"meta\">Escalated: Referral deadline → DG (" in triage_card
            and "; Referral deadline → UBEG (" in triage_card)
    assert triage_card.index("Decided by") < triage_card.index("Overdue:") \
        < triage_card.index("Escalated:")


def test_a_case_with_no_clock_run_out_shows_none(refer_case, staff, client):
    with time_machine.travel(_at(date(2026, 2, 17)), tick=True), translation.override("en"):
        sign_in(client, staff["head"])
        page = client.get(reverse("intake:case", kwargs={
            "unit_code": "DG", "reference": refer_case.reference})).content.decode()
    assert 'id="triage"' in page
    assert "Overdue:" not in page and "Escalated:" not in page


# --- reminders ---------------------------------------------------------------------------------

def test_a_clock_is_reminded_two_working_days_ahead_across_a_weekend(refer_case, staff,
                                                                     run_scan):
    """Due Tuesday 17th: two working days ahead is Friday 13th, Monday 16th and Tuesday 17th
    being the two; the weekend does not count."""
    run_scan(date(2026, 2, 12))
    assert _reminders() == [] and _told(Notice.CLOCK_APPROACHING) == []

    summary = run_scan(date(2026, 2, 13))
    assert summary.taken == {(Clock.REFER, 0): 1} and summary.notified == 2
    assert summary.approaching == {Clock.REFER: 1}
    assert _reminders() == [(Clock.REFER, date(2026, 2, 17), "DG")]
    assert _told(Notice.CLOCK_APPROACHING) == [("head", 0, "DG"), ("officer", 0, "DG")]
    assert _mailed(Notice.CLOCK_APPROACHING) == ["head@shugel.example",
                                                 "officer@shugel.example"]
    [event] = Event.objects.filter(kind=Notice.CLOCK_APPROACHING)
    assert (event.unit.code, event.subject) == ("DG", {
        "complaint": refer_case.pk, "reference": refer_case.reference, "clock": "refer",
        "step": 0, "due": "2026-02-17"})
    # Reminding is not escalating: the case page lists no escalation yet.
    assert list(escalations_for(refer_case)) == []
    assert AuditEvent.objects.filter(action="clock.reminded").count() == 1

    for day in (date(2026, 2, 14), date(2026, 2, 16), date(2026, 2, 17)):
        assert not run_scan(day).taken
    assert len(_reminders()) == 1 and Notification.objects.filter(
        kind=Notice.CLOCK_APPROACHING).count() == 2


def test_a_clock_due_after_tsagaan_sar_is_reminded_two_working_days_ahead(
        units, staff, run_scan, settings):
    """Received Thursday 12 February 2026 with four working days to refer: Fri 13, Mon 16,
    Tue 17, then Tsagaan Sar (Wed 18 to Fri 20) and the weekend, so due Monday 23rd. Two
    working days ahead of it (Tue 17 and Mon 23) is Monday 16th, a week by the calendar."""
    settings.REFER_WORKING_DAYS = 4
    case = _case(units, staff, date(2026, 2, 12))
    _on(date(2026, 2, 12), complaint_acknowledge, complaint=case, by=staff["officer"])
    assert _on(date(2026, 2, 12), triage, case, staff["officer"]).refer_due == date(2026, 2, 23)

    run_scan(date(2026, 2, 13))
    assert _reminders() == []
    run_scan(date(2026, 2, 16))
    assert _reminders() == [(Clock.REFER, date(2026, 2, 23), "DG")]
    for day in (date(2026, 2, 18), date(2026, 2, 21), date(2026, 2, 23)):
        run_scan(day)
    assert len(_reminders()) == 1 and _steps() == []
    run_scan(date(2026, 2, 24))
    assert _steps() == [(Clock.REFER, 1, "DG")]


def test_no_reminders_when_they_are_turned_off(refer_case, run_scan, settings):
    settings.REMINDER_WORKING_DAYS_AHEAD = 0
    assert not run_scan(date(2026, 2, 17)).taken
    assert _reminders() == [] and not Event.objects.filter(kind=Notice.CLOCK_APPROACHING)


def _once_each(staff) -> None:
    """Each step of the refer clock was taken once: one Escalation row, one event, one
    notification per person told, one email queued and sent per notification."""
    assert _reminders() == [(Clock.REFER, date(2026, 2, 17), "DG")]
    assert _steps() == [(Clock.REFER, 1, "DG"), (Clock.REFER, 2, "UBEG")]
    clock_events = Event.objects.filter(kind__startswith="clock.")
    assert sorted((event.kind, event.subject["step"], event.unit.code)
                  for event in clock_events) == [
        (Notice.CLOCK_APPROACHING, 0, "DG"), (Notice.CLOCK_OVERDUE, 1, "DG"),
        (Notice.CLOCK_OVERDUE, 2, "UBEG")]
    assert _told(Notice.CLOCK_APPROACHING) == [("head", 0, "DG"), ("officer", 0, "DG")]
    assert _told() == [("head", 1, "DG"), ("national_head", 2, "UBEG")]
    dispatches = Dispatch.objects.filter(notification__event__in=clock_events)
    assert dispatches.count() == 4
    assert set(dispatches.values_list("channel", "state").distinct()) == {
        (NoticeChannel.EMAIL, Dispatch.State.SENT)}
    assert _mailed(Notice.CLOCK_APPROACHING) == ["head@shugel.example",
                                                 "officer@shugel.example"]
    assert _mailed() == ["head@shugel.example", "national_head@shugel.example"]
    assert AuditEvent.objects.filter(action__startswith="clock.").count() == 3
    assert verify_chain().ok


def test_each_reminder_and_escalation_is_sent_once_when_the_scan_runs_twice(
        refer_case, staff, run_scan):
    for day in (date(2026, 2, 13), date(2026, 2, 18), date(2026, 2, 26)):
        first, second = run_scan(day), run_scan(day)
        assert first.taken and not second.taken
    _once_each(staff)


def test_each_step_is_sent_once_when_a_scan_dies_while_notifying_and_runs_again(
        refer_case, staff, run_scan, monkeypatch):
    """The worker dies while the second step's notifications are written: that step's row,
    event and notifications go with its transaction, and the next scan takes it once."""
    from routing import services

    calls = []

    def dying(real):
        def emit(*args, **kwargs):
            calls.append(kwargs["subject"]["step"])
            if len(calls) == 2:
                raise RuntimeError("the worker was killed")
            return real(*args, **kwargs)
        return emit

    monkeypatch.setattr(clocks, "emit", dying(clocks.emit))
    monkeypatch.setattr(services, "emit", dying(services.emit))
    run_scan(date(2026, 2, 13))  # the reminder: the first call
    with pytest.raises(RuntimeError):
        run_scan(date(2026, 2, 26))  # step 1 dies
    assert _steps() == [] and not Event.objects.filter(kind=Notice.CLOCK_OVERDUE)

    monkeypatch.undo()
    run_scan(date(2026, 2, 26))
    run_scan(date(2026, 2, 26))
    _once_each(staff)


# --- referrals --------------------------------------------------------------------------------

def test_a_referral_approved_in_time_stops_the_refer_clock(units, staff, run_scan):
    agency = make_agency()
    referred = _case(units, staff, date(2026, 3, 2))
    only_prepared = _case(units, staff, date(2026, 3, 2))
    due = _on(date(2026, 3, 2), triage, referred, staff["officer"]).refer_due
    _on(date(2026, 3, 2), triage, only_prepared, staff["officer"])
    _on(due, approved_referral, referred, staff["officer"], staff["head"], agency)
    _on(due, prepare, only_prepared, staff["officer"], agency)

    run_scan(add_working_days(due, 1))
    assert list(Escalation.objects.filter(clock=Clock.REFER, step=1)
                .values_list("complaint__reference", flat=True)) == [only_prepared.reference]
    assert Clock.REFER not in {
        item.clock for item in clocks_of_case(referred, add_working_days(due, 1)).overdue}


@pytest.fixture
def delivered(units, staff):
    """A referral delivered on Monday 2 March 2026; the agency acknowledges in 5 working
    days, so by Monday 9 March."""
    agency = make_agency()
    case = _case(units, staff, date(2026, 2, 23))
    _on(date(2026, 2, 23), triage, case, staff["officer"])
    referral = _on(date(2026, 2, 24), approved_referral, case, staff["officer"],
                   staff["head"], agency)
    referral = _deliver(referral, date(2026, 3, 2))
    assert referral.acknowledge_expected_by == date(2026, 3, 9)
    return referral


def test_an_agency_that_does_not_acknowledge_in_time_is_escalated(delivered, run_scan):
    run_scan(date(2026, 3, 9))
    assert _steps(Clock.AGENCY_ACKNOWLEDGE) == []
    assert _reminders(Clock.AGENCY_ACKNOWLEDGE) == [
        (Clock.AGENCY_ACKNOWLEDGE, date(2026, 3, 9), "DG")]
    run_scan(date(2026, 3, 10))
    escalation = Escalation.objects.get(clock=Clock.AGENCY_ACKNOWLEDGE, step=1)
    assert (escalation.step, escalation.referral, escalation.due) == (
        1, delivered, date(2026, 3, 9))
    details = AuditEvent.objects.filter(action="clock.escalated").values_list(
        "details", flat=True)
    assert any(f'"referral":"{delivered.reference}"' in text.replace(" ", "")
               for text in details)
    [event] = Event.objects.filter(kind=Notice.CLOCK_OVERDUE,
                                   subject__clock=Clock.AGENCY_ACKNOWLEDGE)
    assert event.subject == {
        "complaint": delivered.complaint_id, "reference": delivered.complaint.reference,
        "clock": "agency_acknowledge", "step": 1, "due": "2026-03-09",
        "referral": delivered.pk, "referral_reference": delivered.reference}
    # Thu 12 is the head's last day; Fri 13 the parent is told.
    run_scan(date(2026, 3, 13))
    assert _steps(Clock.AGENCY_ACKNOWLEDGE) == [
        (Clock.AGENCY_ACKNOWLEDGE, 1, "DG"), (Clock.AGENCY_ACKNOWLEDGE, 2, "UBEG")]


def test_the_agencys_acknowledgement_stops_its_clock(delivered, staff, run_scan):
    run_scan(date(2026, 3, 10))
    assert len(_steps(Clock.AGENCY_ACKNOWLEDGE)) == 1
    _on(date(2026, 3, 11), answer_record, referral=delivered,
        kind=AgencyAnswer.Kind.ACKNOWLEDGEMENT, answered_on=date(2026, 3, 11),
        by=staff["clerk"], agency_reference="АТГ-2026/118")
    run_scan(date(2026, 3, 16))
    assert _steps(Clock.AGENCY_ACKNOWLEDGE) == [(Clock.AGENCY_ACKNOWLEDGE, 1, "DG")]
    assert Clock.AGENCY_ACKNOWLEDGE not in {
        item.clock for item in clocks_of_case(delivered.complaint, date(2026, 3, 16)).overdue}


# --- what leaves the system ----------------------------------------------------------------------

def test_no_email_audit_detail_or_log_line_carries_the_complaint_or_the_reporter(
        units, staff, delivered, run_scan, caplog):
    not_referred = _case(units, staff, date(2026, 3, 2))
    _on(date(2026, 3, 2), triage, not_referred, staff["officer"])
    with caplog.at_level(logging.DEBUG):
        summary = run_scan(date(2026, 9, 1))
    assert {clock for clock, _step in summary.taken} == set(Clock.values)
    assert _mailed()
    sent = [message.subject + message.body + str(message.to) for message in mail.outbox]
    details = list(AuditEvent.objects.values_list("details", flat=True))
    logged = [record.getMessage() for record in caplog.records]
    told = [serializers.serialize("json", model.objects.all())
            for model in (Event, Notification, Dispatch)]
    for text in sent + details + logged + told:
        assert CANARY not in text and REPORTER not in text and "99112233" not in text
    assert any("refer: overdue 1" in line for line in logged)


def test_the_scan_clocks_command_prints_the_counts(refer_case):
    out = StringIO()
    with time_machine.travel(_at(date(2026, 2, 18)), tick=False):
        call_command("scan_clocks", "--date", "2026-02-18", stdout=out)
    assert "refer: overdue 1, step 1 taken 1, step 2 taken 0" in out.getvalue()
    assert _steps() == [(Clock.REFER, 1, "DG")]
    with pytest.raises(CommandError):
        call_command("scan_clocks", "--date", "18.02.2026", stdout=StringIO())


def test_the_scan_reads_no_sealed_column(units, staff, delivered, run_scan):
    not_referred = _case(units, staff, date(2026, 3, 2))
    _on(date(2026, 3, 2), triage, not_referred, staff["officer"])
    with CaptureQueriesContext(connection) as queries:
        run_scan(date(2026, 9, 1))
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    # An event's subject is ids and references (notify.events.clean_subject), not sealed.
    sql = sql.replace('"notify_event"."subject"', "")
    for column in ("body", "subject", "particulars", "reporter", "channel_details",
                   "cover_letter", "redactions", "reason"):
        assert f'."{column}"' not in sql, column


@pytest.mark.django_db(transaction=True)
def test_the_heads_are_emailed_once_the_step_has_committed(units, staff):
    """No test transaction around it here: the scan commits each step as it would in the
    worker, and the email goes out on that commit."""
    case = _case(units, staff, date(2026, 2, 10))
    _on(date(2026, 2, 10), complaint_acknowledge, complaint=case, by=staff["officer"])
    _on(date(2026, 2, 10), triage, case, staff["officer"])
    with time_machine.travel(_at(date(2026, 2, 18), 9), tick=False):
        summary = scan()
    assert summary.taken == {(Clock.REFER, 1): 1}
    assert _mailed() == ["head@shugel.example"]
