"""Working days: Monday to Friday, less public holidays, plus transferred working days.

Legal deadlines (acknowledge in 7 working days, resolve in 30, …) are counted here. The day
something is received does not count; the deadline is the last working day of the period.
"""

from datetime import date, timedelta

from org.models import CalendarDay, Unit

# Room for the longest run of holidays (Naadam plus a weekend, lunar new year plus a weekend).
_SLACK_DAYS = 30


def _exceptions(start: date, end: date, unit: Unit | None) -> dict[date, str]:
    rows = CalendarDay.objects.applying_to(unit).filter(date__range=(start, end))
    found: dict[date, str] = {}
    # A unit's own entry overrides the national one for the same day.
    for day, kind, unit_id in rows.order_by("unit_id").values_list("date", "kind", "unit_id"):
        if unit_id is not None or day not in found:
            found[day] = kind
    return found


class WorkingCalendar:
    """One unit's working days (the country's without a unit), read from the database a
    whole year at a time as far as asked, and kept: code that counts many deadlines of one
    unit (a year of report due days) reads each year once instead of once per deadline.
    A year holds a few dozen entries at most. Keep one for a page or a task, not longer:
    it does not see entries added after it read their year."""

    def __init__(self, unit: Unit | None = None):
        self.unit = unit
        self._years: set[int] = set()
        self._exceptions: dict[date, str] = {}

    def _read(self, start: date, end: date) -> None:
        missing = [year for year in range(start.year, end.year + 1) if year not in self._years]
        if missing:
            # The years not yet read, as one range (any read year inside it is read again).
            self._exceptions |= _exceptions(date(missing[0], 1, 1), date(missing[-1], 12, 31),
                                            self.unit)
            self._years.update(range(missing[0], missing[-1] + 1))

    def _is_working(self, day: date) -> bool:
        kind = self._exceptions.get(day)
        if kind is not None:
            return kind == CalendarDay.Kind.WORKING
        return day.weekday() < 5

    def is_working_day(self, day: date) -> bool:
        self._read(day, day)
        return self._is_working(day)

    def add_working_days_each(self, start: date, counts: list[int]) -> list[date]:
        """The date `days` working days after `start` (which itself does not count), for
        each `days` of `counts`."""
        if min(counts) < 0:
            raise ValueError("days must not be negative")
        most = max(counts)
        horizon = start + timedelta(days=most * 2 + _SLACK_DAYS)
        self._read(start, horizon)
        reached = {0: start}
        day, counted = start, 0
        while counted < most:
            day += timedelta(days=1)
            if day > horizon:  # a calendar with months of holidays: widen and go on
                horizon = day + timedelta(days=most * 2 + _SLACK_DAYS)
                self._read(day, horizon)
            if self._is_working(day):
                counted += 1
                reached[counted] = day
        return [reached[days] for days in counts]

    def add_working_days(self, start: date, days: int) -> date:
        return self.add_working_days_each(start, [days])[0]

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative when `end` is
        earlier)."""
        if end < start:
            return -self.working_days_between(end, start)
        self._read(start, end)
        return sum(self._is_working(start + timedelta(days=offset))
                   for offset in range(1, (end - start).days + 1))


def is_working_day(day: date, unit: Unit | None = None) -> bool:
    return WorkingCalendar(unit).is_working_day(day)


def add_working_days(start: date, days: int, unit: Unit | None = None) -> date:
    """The date `days` working days after `start` (which itself does not count)."""
    return WorkingCalendar(unit).add_working_days(start, days)


def add_working_days_each(start: date, counts: list[int], unit: Unit | None = None) -> list[date]:
    """add_working_days for each of `counts`, from one reading of the calendar (a new
    complaint's several deadlines)."""
    return WorkingCalendar(unit).add_working_days_each(start, counts)


def working_days_between(start: date, end: date, unit: Unit | None = None) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is earlier)."""
    return WorkingCalendar(unit).working_days_between(start, end)


# --- how far ahead the calendar is known -------------------------------------------------------

# From this month on, next year's movable holidays are expected to be entered.
WARN_FROM_MONTH = 10


def years_with_movable_holidays() -> set[int]:
    """Years for which the national calendar holds a movable holiday (Tsagaan Sar)."""
    days = CalendarDay.objects.filter(unit__isnull=True, movable=True)
    return {day.year for day in days.values_list("date", flat=True)}


def known_through(today: date) -> date:
    """The last day whose working-day status is known: the end of the last year, from this
    one on without a gap, whose movable holidays are entered. A year without them would count
    the lunar new year as three working days."""
    known = years_with_movable_holidays()
    year = today.year
    while year in known:
        year += 1
    return date(year - 1, 12, 31)


def missing_year(today: date) -> int | None:
    """The first year whose movable holidays should be entered by now and are not: this
    year at any time, next year from October; otherwise None."""
    first = known_through(today).year + 1
    if first <= today.year or (first == today.year + 1 and today.month >= WARN_FROM_MONTH):
        return first
    return None
