"""Telling the administrators, every day until it is done, that the holidays which move each
year (Tsagaan Sar) are not yet in the calendar: this year's at any time, next year's from
October (org.calendar.missing_year). Without them every clock that crosses the lunar new year
counts three holidays as working days.

Once a day per unit: a unit whose administrators were told today is not told again.
"""

from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from notify.events import emit
from notify.models import Event, Kind
from org.calendar import missing_year
from org.models import Membership, Role, Unit


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


@transaction.atomic
def calendar_warn(*, today: date | None = None) -> int:
    """Tells the administrators of every unit that has one; returns how many units."""
    today = today or timezone.localdate()
    year = missing_year(today)
    if year is None:
        return 0
    told_today = set(Event.objects.filter(kind=Kind.CALENDAR_INCOMPLETE,
                                          created_at__gte=_start_of(today))
                     .values_list("unit_id", flat=True))
    with_admins = (Membership.objects.active().filter(role=Role.ADMIN)
                   .values_list("unit_id", flat=True))
    units = Unit.objects.filter(pk__in=with_admins).exclude(pk__in=told_today).order_by("pk")
    count = 0
    for unit in units:
        emit(Kind.CALENDAR_INCOMPLETE, unit=unit, subject={"year": year})
        count += 1
    return count
