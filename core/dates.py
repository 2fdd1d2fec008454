"""Days, moments and months typed the Mongolian way — 2026.12.06, 2026.12.06 14:30, 2026.12 —
whatever the language of the browser.

An <input type=date>, datetime-local or month is drawn by the browser in the browser's own
locale: an English Chromium shows 12/06/2026, 05:27 AM on a Mongolian page. These fields are
plain text inputs instead, with a hint in the page's language, and read what people write:
the year first, with dots (also dashes or slashes, or the digits alone: 20261206), and the
time on the 24-hour clock. A moment is Ulaanbaatar time (the current time zone).

    DayField(label=_("Sent on"), not_future=True)
    MomentField(label=_("Opened at"), not_future=True, earliest_year=2000)
    MonthField(label=_("Month"), required=False)       # cleans to the month's first day
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DAY_FORMAT = "%Y.%m.%d"
MOMENT_FORMAT = "%Y.%m.%d %H:%M"
MONTH_FORMAT = "%Y.%m"

# What may be typed, in the page (so that a browser that checks patterns agrees with the
# server): a four-digit year, then month and day of one or two digits, each after . - or /.
# "/" escaped: browsers read patterns with the v flag, where a bare "/" in a class is an error.
_SEP = r"[.\-\/]"
DAY_PATTERN = rf"\s*\d{{4}}{_SEP}\d{{1,2}}{_SEP}\d{{1,2}}\s*|\s*\d{{8}}\s*"
MOMENT_PATTERN = (rf"\s*\d{{4}}{_SEP}\d{{1,2}}{_SEP}\d{{1,2}}(\s+|T)\d{{1,2}}[:.]\d{{2}}"
                  rf"([:.]\d{{2}})?\s*|\s*\d{{12}}\s*")
MONTH_PATTERN = rf"\s*\d{{4}}{_SEP}\d{{1,2}}\s*|\s*\d{{6}}\s*"

_COMPACT = {8: "{0}.{1}.{2}", 12: "{0}.{1}.{2} {3}:{4}", 6: "{0}.{1}"}


def normalise(text: str) -> str:
    """What was typed, with dots between the parts of the date, one space before the time
    and a colon in it: "2026-12-06T14.30" -> "2026.12.06 14:30"; "" stays ""."""
    text = text.strip()
    if text.isdigit() and len(text) in _COMPACT:
        parts = [text[:4], *(text[i:i + 2] for i in range(4, len(text), 2))]
        return _COMPACT[len(text)].format(*parts)
    match = re.fullmatch(r"(\d{4}(?:[.\-/]\d{1,2}){1,2})(?:(?:\s+|T)(\d{1,2})[:.](\d{2})"
                         r"(?:[:.](\d{2}))?)?", text)
    if not match:
        return text  # left for the format to refuse
    date = re.sub(r"[\-/]", ".", match[1])
    if match[2] is None:
        return date
    return f"{date} {match[2]}:{match[3]}" + (f":{match[4]}" if match[4] else "")


def _widget(*, pattern: str, placeholder: str, size: int, inputmode: str, fmt: str):
    # Django's DateInput and DateTimeInput are type="text" inputs; `fmt` is how a value
    # already held is written back into them.
    kind = forms.DateTimeInput if "%H" in fmt else forms.DateInput
    return kind(format=fmt, attrs={
        "inputmode": inputmode, "autocomplete": "off", "spellcheck": "false",
        "placeholder": placeholder, "pattern": pattern, "size": size, "class": "date-input",
    })


class _Checked:
    """The checks every kind shares: not in the future (when asked), not before a year."""

    too_late_code = "future"

    def __init__(self, *, not_future: bool = False, earliest_year: int | None = None,
                 **kwargs):
        self.not_future = not_future
        self.earliest_year = earliest_year
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = normalise(value)
            # Only what normalise made of it: Django would otherwise read ISO 8601 with an
            # offset ("…T14:30+08:00", "…Z") as a moment in another zone.
            if not re.fullmatch(r"[\d.: ]*", value):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if self.not_future and value > self.latest():
            raise ValidationError(self.error_messages["future"], code="future")
        if self.earliest_year is not None and value.year < self.earliest_year:
            raise ValidationError(self.error_messages["too_old"], code="too_old")


class DayField(_Checked, forms.DateField):
    """A day: 2026.12.06 (also 2026-12-06, 2026/12/06 or 20261206)."""

    input_formats = [DAY_FORMAT]
    default_error_messages = {
        "invalid": _("Write the date as year.month.day, for example 2026.03.02."),
        "required": _("Enter the date."),
        "future": _("This date is in the future."),
        "too_old": _("Check the year: this date is too long ago."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", _widget(pattern=DAY_PATTERN, placeholder="2026.03.02",
                                            size=10, inputmode="decimal", fmt=DAY_FORMAT))
        kwargs.setdefault("help_text", _("Year.month.day, for example 2026.03.02"))
        super().__init__(**kwargs)

    def latest(self):
        return timezone.localdate()


class MomentField(_Checked, forms.DateTimeField):
    """A moment in Ulaanbaatar time on the 24-hour clock: 2026.12.06 14:30."""

    input_formats = [MOMENT_FORMAT, MOMENT_FORMAT + ":%S"]
    default_error_messages = {
        "invalid": _("Write the date and the 24-hour time, for example 2026.03.02 14:30."),
        "required": _("Enter the date and time."),
        "future": _("This time is in the future. Enter when it happened."),
        "too_old": _("Check the year: this date is too long ago."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", _widget(pattern=MOMENT_PATTERN,
                                            placeholder="2026.03.02 14:30", size=16,
                                            inputmode="text", fmt=MOMENT_FORMAT))
        kwargs.setdefault("help_text", _("Year.month.day hours:minutes, 24-hour clock, for "
                                         "example 2026.03.02 14:30"))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        # A moment is shown in Ulaanbaatar time, to the minute.
        if hasattr(value, "tzinfo") and value.tzinfo is not None:
            value = timezone.localtime(value)
        return super().prepare_value(value)

    def latest(self):
        return timezone.now()


class MonthField(_Checked, forms.DateField):
    """A month: 2026.12 (also 2026-12 or 202612); cleans to the month's first day."""

    input_formats = [MONTH_FORMAT]
    default_error_messages = {
        "invalid": _("Write the month as year.month, for example 2026.03."),
        "required": _("Enter the month, for example 2026.03."),
        "future": _("This month has not begun yet."),
        "too_old": _("Check the year: this date is too long ago."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", _widget(pattern=MONTH_PATTERN, placeholder="2026.03",
                                            size=7, inputmode="decimal", fmt=MONTH_FORMAT))
        kwargs.setdefault("help_text", _("Year.month, for example 2026.03"))
        super().__init__(**kwargs)

    def latest(self):
        return timezone.localdate().replace(day=1)
