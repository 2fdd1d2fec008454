from datetime import date

import pytest

from org.calendar import (
    WorkingCalendar,
    add_working_days,
    add_working_days_each,
    is_working_day,
    working_days_between,
)
from org.models import CalendarDay

pytestmark = pytest.mark.django_db


def test_weekends_do_not_count():
    # Friday 2026-11-20 + 1 working day is Monday 2026-11-23.
    assert add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)


def test_the_lunar_new_year_is_skipped():
    # Tsagaan Sar 2026 is Wed 18 – Fri 20 February; the weekend follows.
    assert not is_working_day(date(2026, 2, 18))
    assert add_working_days(date(2026, 2, 17), 1) == date(2026, 2, 23)
    # Mon 16, Tue 17, then Mon 23 to Fri 27.
    assert add_working_days(date(2026, 2, 13), 7) == date(2026, 2, 27)


def test_naadam_is_skipped():
    # Friday 10 July 2026 + 1: Naadam (11–15) then Thursday 16 July.
    assert add_working_days(date(2026, 7, 10), 1) == date(2026, 7, 16)


def test_a_transferred_saturday_counts_as_a_working_day(units):
    CalendarDay.objects.create(date=date(2026, 11, 21), kind=CalendarDay.Kind.WORKING,
                               name_mn="Нөхөж ажиллах өдөр", unit=units["DG"])
    assert add_working_days(date(2026, 11, 20), 1, unit=units["DG"]) == date(2026, 11, 21)
    # Other units keep the plain rule.
    assert add_working_days(date(2026, 11, 20), 1, unit=units["DU"]) == date(2026, 11, 23)


def test_a_unit_holiday_applies_to_the_units_below_it(units):
    CalendarDay.objects.create(date=date(2026, 12, 1), name_mn="Аймгийн баяр",
                               unit=units["UBEG"])
    assert not is_working_day(date(2026, 12, 1), unit=units["DG"])
    assert is_working_day(date(2026, 12, 1))


def test_thirty_working_days_across_the_new_year():
    end = add_working_days(date(2026, 12, 15), 30)
    assert working_days_between(date(2026, 12, 15), end) == 30
    # 29 Dec and 1 Jan are holidays, plus the weekends.
    assert end == date(2027, 1, 28)


def test_negative_periods_are_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), -1)


def test_several_deadlines_from_one_reading_agree_with_each_counted_alone(units):
    CalendarDay.objects.create(date=date(2026, 11, 21), kind=CalendarDay.Kind.WORKING,
                               name_mn="Нөхөж ажиллах өдөр", unit=units["DG"])
    start = date(2026, 11, 18)
    counts = [7, 0, 30, 90, 1]
    assert add_working_days_each(start, counts, units["DG"]) == [
        add_working_days(start, days, units["DG"]) for days in counts]
    with pytest.raises(ValueError):
        add_working_days_each(start, [3, -1])


def test_one_calendar_read_once_a_year_agrees_with_each_day_read_alone(
        units, django_assert_num_queries):
    """A kept calendar reads a whole year at a time, in whichever order it is asked; what
    it answers is what a fresh reading of each day answers, the unit's own days included."""
    CalendarDay.objects.create(date=date(2026, 11, 21), kind=CalendarDay.Kind.WORKING,
                               name_mn="Нөхөж ажиллах өдөр", unit=units["DG"])
    CalendarDay.objects.create(date=date(2027, 3, 2), name_mn="Аймгийн баяр",
                               unit=units["UBEG"])
    CalendarDay.objects.create(date=date(2025, 12, 31), name_mn="Шинэ жилийн өмнөх өдөр")
    dg = units["DG"]
    dg.ancestors()  # the unit's parents, read once as any page that shows the unit does
    calendar = WorkingCalendar(dg)
    starts = [date(2026, 11, 18), date(2025, 12, 20), date(2027, 2, 25), date(2026, 6, 30)]
    counts = [0, 1, 7, 30]
    with django_assert_num_queries(2):  # 2026 and 2027 at the first, 2025 at the second
        kept = [calendar.add_working_days_each(start, counts) for start in starts]
        days = [calendar.is_working_day(date(2027, 3, 2)),
                calendar.working_days_between(date(2026, 1, 1), date(2025, 12, 1))]
    assert kept == [add_working_days_each(start, counts, dg) for start in starts]
    assert days == [is_working_day(date(2027, 3, 2), dg),
                    working_days_between(date(2026, 1, 1), date(2025, 12, 1), dg)]
    assert days[0] is False
