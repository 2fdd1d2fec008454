"""Form fields every intake form uses, and the apps above intake too: plain text that must be
readable, attachments checked by content, and a day typed the Mongolian way (2026.03.02,
core.dates).

They live apart from the rooms' forms (intake/public, intake/channels, intake/case) because
every room, and routing's and reporting's forms, use them."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import dates
from intake.models import TITLE_MAX, tidy_title
from intake.uploads import MAX_FILE_BYTES, MAX_FILES, MESSAGES, clean_upload

MAX_BODY = 10_000
# Control characters other than tab and line breaks, and the mark left where the browser
# sent bytes that were not UTF-8.
UNREADABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
TOO_LONG = _("Keep it under %(limit_value)d characters.")


def readable_text(value: str) -> str:
    if UNREADABLE.search(value or ""):
        raise ValidationError(
            _("The text contains characters that cannot be read. Type it again or paste it as "
              "plain text."), code="unreadable",
        )
    return value


class PlainTextField(forms.CharField):
    """Text that must be readable; HTML in it is kept as text and always shown escaped."""

    def __init__(self, *args, **kwargs):
        kwargs["error_messages"] = {"max_length": TOO_LONG, **kwargs.get("error_messages", {})}
        super().__init__(*args, **kwargs)

    def widget_attrs(self, widget):
        # No maxlength in the page: browsers cut a long paste short without a word; the
        # server refuses it with a message instead, and keeps the text.
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs

    def clean(self, value):
        # Before Django's own checks, so that every unreadable character (a NUL included)
        # gets the same message.
        readable_text(value if isinstance(value, str) else "")
        return super().clean(value)


TITLE_HELP = _(
    "A few words of your own for the list of complaints, e.g. “Money asked for a birth "
    "certificate”. This title is not encrypted: do not copy the reporter's words, and write "
    "no names or other details that identify anyone.")


class TitleField(forms.CharField):
    """A case's short title, written by staff (intake.models.tidy_title): control and
    invisible characters are removed rather than refused, then the length is checked."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Short title"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", TITLE_HELP)
        kwargs["max_length"] = TITLE_MAX
        kwargs["error_messages"] = {"max_length": TOO_LONG, **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        # As PlainTextField: the server refuses a long title with a message and keeps it.
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs

    def to_python(self, value):
        return tidy_title(super().to_python(value))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to MAX_FILES files, each checked by content and stripped of metadata."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_FILES:
            raise ValidationError(MESSAGES["too_many"], code="too_many",
                                  params={"count": MAX_FILES})
        return [clean_upload(f) for f in files]


def upload_too_large() -> ValidationError:
    """The refusal for a file that was too large to be read at all (see uploads.py)."""
    return ValidationError(MESSAGES["too_large"], code="too_large",
                           params={"limit": MAX_FILE_BYTES // 2**20})


class DayField(dates.DayField):
    """A day typed the Mongolian way (core.dates), optional unless said otherwise: the
    filters of the lists leave their days empty."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


# What a 64-bit integer column holds; an id outside it names no row.
_ID_RANGE = range(-(2**63), 2**63)


class ChosenRecordsField(forms.ModelMultipleChoiceField):
    """Several records chosen by id (checkboxes). Each id is checked to be a number the
    database can hold before it reaches the query: Django hands the ids to an IN lookup,
    and SQLite answers 2**63 or more with an OverflowError, a server error, where the
    person should read that the choice is not on the list."""

    def clean(self, value):
        for pk in value if isinstance(value, list | tuple) else ():
            if _beyond_ids(pk):
                raise ValidationError(self.error_messages["invalid_choice"],
                                      code="invalid_choice", params={"value": pk})
        return super().clean(value)


def _beyond_ids(pk) -> bool:
    try:
        return int(str(pk)) not in _ID_RANGE
    except ValueError:  # not a number: the field itself refuses it
        return False
