"""The date line of an official document, "2026 оны 11 дүгээр сарын 15-ны өдөр": the
ordinal suffix of every month and the genitive of every day."""

from datetime import date

import pytest

from core.grammar import date_line, ordinal

MONTHS = {1: "1 дүгээр", 2: "2 дугаар", 3: "3 дугаар", 4: "4 дүгээр", 5: "5 дугаар",
          6: "6 дугаар", 7: "7 дугаар", 8: "8 дугаар", 9: "9 дүгээр", 10: "10 дугаар",
          11: "11 дүгээр", 12: "12 дугаар"}
# нэгний, хоёрын → -ны, гурван, дөрвөний, таван, зургаан, долоон, найман, есний, арван;
# the tens say хорин, гучин.
FRONT_DAYS = {1, 4, 9, 11, 14, 19, 21, 24, 29, 31}
DAYS = {day: f"{day}-{'ний' if day in FRONT_DAYS else 'ны'}" for day in range(1, 32)}


@pytest.mark.parametrize("month", range(1, 13))
def test_every_month_takes_its_ordinal_suffix(month):
    assert ordinal(month) == MONTHS[month]
    assert date_line(date(2026, month, 1)) == f"2026 оны {MONTHS[month]} сарын 1-ний өдөр"


@pytest.mark.parametrize("day", range(1, 32))
def test_every_day_takes_its_genitive(day):
    assert date_line(date(2026, 1, day)) == f"2026 оны 1 дүгээр сарын {DAYS[day]} өдөр"


def test_the_reference_date():
    assert date_line(date(2026, 11, 15)) == "2026 оны 11 дүгээр сарын 15-ны өдөр"
