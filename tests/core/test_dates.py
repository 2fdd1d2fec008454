"""core.dates: days, moments and months are typed the Mongolian way, whatever the browser's
language, and read back on the server with the same rules."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from core.dates import (
    DAY_PATTERN,
    MOMENT_PATTERN,
    MONTH_PATTERN,
    DayField,
    MomentField,
    MonthField,
    normalise,
)

ULAANBAATAR = ZoneInfo("Asia/Ulaanbaatar")
NOW = datetime(2026, 12, 6, 14, 30, tzinfo=ULAANBAATAR)
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@pytest.mark.parametrize("typed", ["2026.12.06", "2026-12-06", "2026/12/06", " 2026.12.6 ",
                                   "20261206"])
def test_a_day_is_read_with_dots_dashes_slashes_or_digits_alone(typed):
    assert DayField().clean(typed) == date(2026, 12, 6)


@pytest.mark.parametrize("typed", ["2026.12.06 14:30", "2026-12-06T14:30", "2026/12/06 14.30",
                                   "2026.12.06  14:30:00", "202612061430"])
def test_a_moment_is_read_in_ulaanbaatar_time_on_the_24_hour_clock(typed):
    assert MomentField().clean(typed) == NOW


@pytest.mark.parametrize("typed", ["2026.12", "2026-12", "2026/12", "202612"])
def test_a_month_is_read_as_its_first_day(typed):
    assert MonthField().clean(typed) == date(2026, 12, 1)


@pytest.mark.parametrize(("field", "typed"), [
    (DayField, "06.12.2026"), (DayField, "12/06/2026"), (DayField, "2026.02.30"),
    (DayField, "2026.13.01"), (DayField, "tomorrow"), (DayField, "2026.12.06 14:30"),
    (MomentField, "2026.12.06 2:30 PM"), (MomentField, "2026.12.06 25:00"),
    (MomentField, "2026.12.06"), (MomentField, "2026-12-06T14:30+08:00"),
    (MonthField, "12.2026"), (MonthField, "2026.00"), (MonthField, "2026.12.06"),
])
def test_nonsense_and_the_american_order_are_refused_with_a_mongolian_message(field, typed):
    with translation.override("mn"), pytest.raises(ValidationError) as refused:
        field().clean(typed)
    assert refused.value.code == "invalid"
    message = " ".join(refused.value.messages)
    assert "2026.03" in message and not LATIN_WORD.search(message)


@time_machine.travel(NOW, tick=False)
def test_the_future_and_a_year_too_long_ago_are_refused_only_when_asked():
    assert DayField().clean("2027.01.01") == date(2027, 1, 1)
    with pytest.raises(ValidationError) as refused:
        DayField(not_future=True).clean("2026.12.07")
    assert refused.value.code == "future"
    assert DayField(not_future=True).clean("2026.12.06") == date(2026, 12, 6)
    with pytest.raises(ValidationError) as refused:
        MomentField(not_future=True).clean("2026.12.06 14:31")
    assert refused.value.code == "future"
    with pytest.raises(ValidationError) as refused:
        MonthField(not_future=True).clean("2027.01")
    assert refused.value.code == "future"
    assert MonthField(not_future=True).clean("2026.12") == date(2026, 12, 1)
    with pytest.raises(ValidationError) as refused:
        DayField(earliest_year=2000).clean("1999.12.31")
    assert refused.value.code == "too_old"


class Example(forms.Form):
    day = DayField()
    moment = MomentField()
    month = MonthField()


def test_the_inputs_are_text_with_the_mongolian_order_whatever_the_page_language():
    form = Example(initial={"day": date(2026, 3, 2), "moment": NOW, "month": date(2026, 3, 1)})
    for language in ("mn", "en"):
        with translation.override(language):
            html = str(form)
        assert 'type="date' not in html and 'type="month' not in html
        assert html.count('type="text"') == 3
        assert 'value="2026.03.02"' in html
        assert 'value="2026.12.06 14:30"' in html
        assert 'value="2026.03"' in html
        assert 'placeholder="2026.03.02 14:30"' in html


def test_a_moment_held_in_another_zone_is_shown_in_ulaanbaatar_time():
    utc = datetime(2026, 12, 6, 6, 30, tzinfo=ZoneInfo("UTC"))
    assert 'value="2026.12.06 14:30"' in str(Example(initial={"moment": utc})["moment"])


def test_the_hint_is_in_the_page_language():
    with translation.override("mn"):
        hints = [str(field.help_text) for field in Example.base_fields.values()]
    assert all(hint.startswith("Он.сар") and not LATIN_WORD.search(hint) for hint in hints)


@pytest.mark.parametrize(("pattern", "field", "typed"), [
    (DAY_PATTERN, DayField, ["2026.12.06", "2026-12-6", "2026/12/06", "20261206"]),
    (MOMENT_PATTERN, MomentField, ["2026.12.06 14:30", "2026-12-06T14:30", "202612061430"]),
    (MONTH_PATTERN, MonthField, ["2026.12", "2026-12", "202612"]),
])
def test_the_pattern_in_the_page_lets_through_what_the_server_reads(pattern, field, typed):
    for text in typed:
        assert re.fullmatch(pattern, text), text
        field().clean(text)
    assert not re.fullmatch(pattern, "12/06/2026")


@pytest.mark.parametrize(("typed", "read"), [
    ("2026-12-06T14.30", "2026.12.06 14:30"), ("2026/1/5", "2026.1.5"), ("", ""),
    ("202612", "2026.12"), ("next week", "next week"),
])
def test_normalise_puts_dots_in_the_date_and_a_colon_in_the_time(typed, read):
    assert normalise(typed) == read
