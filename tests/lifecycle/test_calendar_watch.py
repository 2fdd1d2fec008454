"""Next year's movable holidays: when Tsagaan Sar is not in the calendar, clocks that cross
it would count three holidays as working days. From October the administrators are told, on
the status page and by a notification every day until the dates are entered, and the case
page marks the deadlines counted over the unknown stretch as provisional."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from lifecycle.calendar_watch import calendar_warn
from lifecycle.clocks import clocks_of_case
from notify.models import Kind, Notification
from org.calendar import known_through, missing_year
from org.models import CalendarDay
from tests.intake.pages_case import make_case
from tests.ops.test_status import STATUS, section

pytestmark = pytest.mark.django_db

UB = ZoneInfo("Asia/Ulaanbaatar")


def enter_tsagaan_sar(year: int, month: int, day: int) -> None:
    for offset in range(3):
        CalendarDay.objects.create(date=date(year, month, day + offset), movable=True,
                                   name_mn="Цагаан сар", name_en="Lunar New Year")


def test_the_seeded_lunar_new_years_are_the_movable_holidays():
    movable = CalendarDay.objects.filter(movable=True, unit__isnull=True)
    assert sorted({day.year for day in movable.values_list("date", flat=True)}) == [
        2024, 2025, 2026]
    assert movable.count() == 9
    assert not CalendarDay.objects.filter(movable=True).exclude(name_mn="Цагаан сар").exists()


def test_the_calendar_is_known_to_the_end_of_the_last_year_entered_without_a_gap():
    assert known_through(date(2026, 5, 1)) == date(2026, 12, 31)
    enter_tsagaan_sar(2028, 2, 25)  # a year further on does not fill the gap of 2027
    assert known_through(date(2026, 5, 1)) == date(2026, 12, 31)
    enter_tsagaan_sar(2027, 2, 7)
    assert known_through(date(2026, 5, 1)) == date(2028, 12, 31)


def test_next_years_holidays_are_missed_from_october_and_this_years_at_once():
    assert missing_year(date(2026, 9, 30)) is None
    assert missing_year(date(2026, 10, 1)) == 2027
    assert missing_year(date(2027, 1, 5)) == 2027  # the new year came and they still are not in
    enter_tsagaan_sar(2027, 2, 7)
    assert missing_year(date(2026, 12, 6)) is None
    assert missing_year(date(2027, 10, 1)) == 2028


def test_the_administrators_are_told_once_a_day_until_the_holidays_are_entered(personas):
    told = Notification.objects.filter(kind=Kind.CALENDAR_INCOMPLETE)
    with time_machine.travel(datetime(2026, 9, 30, 9, tzinfo=UB)):
        assert calendar_warn() == 0
    with time_machine.travel(datetime(2026, 10, 1, 9, tzinfo=UB)):
        assert calendar_warn() == 1
    with time_machine.travel(datetime(2026, 10, 1, 18, tzinfo=UB)):
        assert calendar_warn() == 0  # once a day
    assert set(told.values_list("recipient__username", flat=True)) == {"admin"}
    assert told.get().event.subject == {"year": 2027}
    with time_machine.travel(datetime(2026, 10, 2, 9, tzinfo=UB)):
        assert calendar_warn() == 1
        enter_tsagaan_sar(2027, 2, 7)
    with time_machine.travel(datetime(2026, 10, 3, 9, tzinfo=UB)):
        assert calendar_warn() == 0
    assert told.count() == 2


def test_the_status_page_names_the_missing_year_and_is_quiet_once_it_is_entered(
        client, personas, signed_in):
    signed_in(personas["admin"])
    with time_machine.travel(datetime(2026, 10, 5, 9, tzinfo=UB)):
        page = client.get(STATUS).content.decode()
        assert "2027" in section(page, "problems")
        assert "2026.12.31" in section(page, "calendar")
        enter_tsagaan_sar(2027, 2, 7)
        page = client.get(STATUS).content.decode()
        assert 'id="status-problems"' not in page or "2027" not in section(page, "problems")
        assert "2027.12.31" in section(page, "calendar")


def case_due_over_new_year(units, personas):
    """A case received on 30 November 2026, to be acknowledged by 9 December and resolved by
    14 January 2027, past the last day the calendar knows."""
    complaint = make_case(units, personas)
    complaint.__class__.objects.filter(pk=complaint.pk).update(
        received_at=datetime(2026, 11, 30, 9, tzinfo=UB),
        acknowledge_due=date(2026, 12, 9), resolve_due=date(2027, 1, 14))
    complaint.refresh_from_db()
    return complaint


def test_the_case_page_marks_deadlines_counted_over_unknown_days(
        client, units, personas, signed_in):
    with time_machine.travel(datetime(2026, 12, 1, 10, tzinfo=UB), tick=False):
        complaint = case_due_over_new_year(units, personas)
        assert [clock.clock for clock in clocks_of_case(complaint).provisional] == ["resolve"]
        signed_in(personas["officer"])
        url = reverse("intake:case", kwargs={"unit_code": "DG",
                                             "reference": complaint.reference})
        page = client.get(url).content.decode()
        assert 'id="clocks-provisional"' in page
        enter_tsagaan_sar(2027, 2, 7)
        assert clocks_of_case(complaint).provisional == []
        assert 'id="clocks-provisional"' not in client.get(url).content.decode()


def test_the_case_page_reads_the_overdue_and_the_provisional_clocks_at_once(
        units, personas, django_assert_num_queries):
    """clocks_of_case reads a case's running clocks once and splits them: the one run out
    before today is overdue, the one due past the known calendar provisional; four
    queries, and one for the calendar."""
    with time_machine.travel(datetime(2026, 12, 10, 10, tzinfo=UB), tick=False):
        complaint = case_due_over_new_year(units, personas)
        with django_assert_num_queries(5):
            found = clocks_of_case(complaint)
        assert [[item.clock for item in part] for part in found] == [["acknowledge"],
                                                                     ["resolve"]]
        assert [item.due for item in found.overdue] == [date(2026, 12, 9)]
        assert [item.due for item in found.provisional] == [date(2027, 1, 14)]
