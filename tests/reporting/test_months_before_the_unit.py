"""A unit owes no report on the months before its records begin in the system: a new
installation does not open on a wall of late months, and a unit that started mid-year is
late only on the months since (reporting.display.first_recorded)."""

import re
from datetime import date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from intake.models import Channel, Kind
from intake.services import Content, staff_channel_log
from org.models import Unit
from reporting.charts import months_ending
from reporting.display import first_recorded, standings_of
from tests.reporting.pages_reporting import UB, log_complaint

pytestmark = pytest.mark.django_db

LATER = datetime(2026, 12, 20, 10, 0, tzinfo=UB)


@pytest.fixture(autouse=True)
def _in_late_december_in_mongolian(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    with time_machine.travel(LATER, tick=True), translation.override("mn"):
        yield


def rows_of(client) -> dict[str, str]:
    html = client.get(reverse("reporting:index", args=["DG"])).content.decode()
    return {month: attrs for attrs, month in
            re.findall(r'<tr([^>]*)id="month-(\d{4}-\d{2})">', html)}


def test_a_fresh_installation_lists_no_month_as_late(client, units, personas, signed_in):
    signed_in(personas["clerk"])
    rows = rows_of(client)
    assert len(rows) == 24
    assert not any("overdue" in attrs for attrs in rows.values())
    html = client.get("/en" + reverse("reporting:index", args=["DG"])).content.decode()
    assert "Before the unit&#x27;s records begin" in html and " late<" not in html


def test_a_unit_that_started_mid_year_is_late_only_since_its_first_record(
    client, units, personas, signed_in
):
    log_complaint(units["DG"], personas["clerk"], received=datetime(2026, 6, 10, 9, 0,
                                                                    tzinfo=UB))
    assert first_recorded([units["DG"].pk]) == {units["DG"].pk: date(2026, 6, 10)}
    signed_in(personas["clerk"])
    rows = rows_of(client)
    late = sorted(month for month, attrs in rows.items() if "overdue" in attrs)
    # June to November are owed and past their due day; December is not due yet.
    assert late == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]


def test_a_unit_with_nothing_recorded_owes_reports_from_the_installations_start(
    units, personas
):
    log_complaint(units["DU"], personas["outsider"],
                  received=datetime(2026, 3, 2, 9, 0, tzinfo=UB))
    log_complaint(units["DG"], personas["clerk"], received=datetime(2026, 6, 10, 9, 0,
                                                                    tzinfo=UB))
    ubeg, dg, du = units["UBEG"], units["DG"], units["DU"]
    today = date(2026, 12, 20)
    may = standings_of([(unit, date(2026, 5, 1)) for unit in (ubeg, dg, du)], today)
    # UBEG recorded nothing itself: it owes reports since the installation began (March).
    assert [s.late for s in may] == [True, False, True]
    assert [s.status for s in may] == ["missing", "before", "missing"]
    february = standings_of([(unit, date(2026, 2, 1)) for unit in (ubeg, dg, du)], today)
    assert [s.status for s in february] == ["before"] * 3
    assert not any(s.late for s in february)


def test_paper_received_before_it_was_logged_counts_from_its_day_of_receipt(units, personas):
    """A letter received in April and logged in June: the unit's records begin in April."""
    with time_machine.travel(datetime(2026, 6, 10, 9, 0, tzinfo=UB), tick=False):
        staff_channel_log(unit=units["DG"], channel=Channel.LETTER, kind=Kind.COMPLAINT,
                          received_at=datetime(2026, 4, 20, 9, 0, tzinfo=UB),
                          content=Content(body="Захидал."), logged_by=personas["clerk"])
    assert first_recorded([units["DG"].pk]) == {units["DG"].pk: date(2026, 4, 20)}


def test_the_standings_of_two_years_read_as_much_as_those_of_two_months(units, personas):
    """Each unit's calendar is read a year at a time for all its months, not once for
    every month's due day (the reports page lists 24 months)."""
    today = date(2026, 12, 20)

    def standings(count):
        fresh = Unit.objects.filter(pk__in=[unit.pk for unit in units.values()])
        return [(unit, month) for unit in fresh for month in months_ending(today, count)]

    few, many = standings(2), standings(24)
    with CaptureQueriesContext(connection) as two_months:
        standings_of(few, today)
    with CaptureQueriesContext(connection) as two_years:
        listed = standings_of(many, today)
    assert len(listed) == 72
    # The two months read each unit's 2026 and 2027 at once; the two years read 2025, 2026
    # and 2027 one at a time as the months go on: two readings more for each of the three
    # units, where a reading for every month's due day was 66 more.
    assert len(two_years.captured_queries) == len(two_months.captured_queries) + 6
