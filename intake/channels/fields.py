"""The fields and the base form of the forms staff fill in for what comes in by hand
(intake.channels.forms_boxes and forms_logged): moments and days typed by hand, phone
numbers, call durations, and the one-time token that saves a form once."""

import re
import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import DayField, MomentField
from intake.phones import MESSAGES as PHONE_MESSAGES
from intake.phones import normalise_phone

# Nothing logged here happened before Shugel's oldest paper records; an earlier year is a typo.
EARLIEST_YEAR = 2000
MAX_CALL_MINUTES = 300

BODY_ERRORS = {
    "required": _("Write what happened."),
    "max_length": _("Keep it under %(limit_value)d characters; attach a document for a "
                    "longer account."),
}


class LocalDateTimeField(MomentField):
    """A moment in Ulaanbaatar time, typed by hand (core.dates): never in the future, never
    absurdly old."""

    def __init__(self, **kwargs):
        kwargs.setdefault("not_future", True)
        kwargs.setdefault("earliest_year", EARLIEST_YEAR)
        super().__init__(**kwargs)


class LocalDateField(DayField):
    """A day typed by hand (core.dates): never in the future, never absurdly old."""

    def __init__(self, **kwargs):
        kwargs.setdefault("not_future", True)
        kwargs.setdefault("earliest_year", EARLIEST_YEAR)
        super().__init__(**kwargs)


class PhoneField(forms.CharField):
    """An optional phone number as a person gave it, returned in E.164 ("" when empty)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 40)
        # Django's own "at most N characters" is missing from its Mongolian catalogue.
        kwargs.setdefault("error_messages", {"max_length": PHONE_MESSAGES["too_long"]})
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "tel",
                                                           "autocomplete": "off"}))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return normalise_phone(value) if value else ""


class CallDurationField(forms.CharField):
    """How long a call lasted, as minutes:seconds ("4:30") or whole minutes ("5"); seconds."""

    PATTERN = re.compile(r"^(\d{1,3})(?:[:.](\d{1,2}))?$")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"maxlength": 10,
                                                           "inputmode": "numeric"}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        text = super().to_python(value).replace(" ", "")
        if not text:
            return None
        match = self.PATTERN.match(text)
        if not match or (match[2] is not None and int(match[2]) >= 60):
            raise ValidationError(
                _("Give the duration as minutes:seconds (e.g. 4:30) or whole minutes (e.g. 5)."),
                code="invalid",
            )
        seconds = int(match[1]) * 60 + int(match[2] or 0)
        if seconds > MAX_CALL_MINUTES * 60:
            raise ValidationError(_("A call of more than %(hours)d hours? Check the duration."),
                                  code="too_long", params={"hours": MAX_CALL_MINUTES // 60})
        return seconds


def now_to_the_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


class OnceOnlyForm(forms.Form):
    """Carries a one-time token, so that a form sent twice (a double click, or reloading a
    page that shows a receipt) is saved once. The view keeps the tokens it has used."""

    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", secrets.token_urlsafe(24))

    def clean(self):
        cleaned = super().clean()
        # A hidden field's own error would not be shown next to anything; say it on top.
        if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", cleaned.get("token") or ""):
            raise ValidationError(_("The form is incomplete. Reload the page and try again."),
                                  code="token")
        return cleaned
