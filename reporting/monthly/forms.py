"""The forms of the monthly report's pages. They check what was typed; reporting.services
checks the rules (roles, states, two people) again.

Every action on a report names the version the person was looking at: if the report moved
on in the meantime (edited, sent back, corrected), the action is refused rather than
applied to something they did not see.
"""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import MonthField
from intake.fields import PlainTextField
from reporting.figures import parse_month

MAX_NARRATIVE = 20000
MAX_REASON = 500
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def month_or_none(text: str):
    """`YYYY-MM` (exactly that) to the month's first day, or None."""
    if not MONTH.match(text or ""):
        return None
    try:
        return parse_month(text)
    except ValueError:
        return None


class DraftForm(forms.Form):
    month = MonthField(
        label=_("Month"), not_future=True,
        error_messages={"future": _("A month that has not begun cannot be reported on.")},
    )


class ActionForm(forms.Form):
    """The version of the report the action is meant for (a hidden field)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class NarrativeForm(ActionForm):
    narrative = PlainTextField(
        label=_("Explanation"), max_length=MAX_NARRATIVE, required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What the figures do not say by themselves. Do not copy what a reporter "
                    "wrote; refer to cases by their reference numbers."),
    )


class SendBackForm(ActionForm):
    reason = PlainTextField(label=_("Why it goes back"), max_length=MAX_REASON,
                            widget=forms.Textarea(attrs={"rows": 2}),
                            error_messages={"required": _("Say why the report goes back.")})


class CorrectForm(ActionForm):
    reason = PlainTextField(label=_("What the correction is for"), max_length=MAX_REASON,
                            widget=forms.Textarea(attrs={"rows": 2}),
                            error_messages={"required": _("Say what the correction is for.")})


class LetterSentForm(forms.Form):
    letter_number = forms.CharField(label=_("Letter number"), max_length=64,
                                    error_messages={"required": _("Enter the letter's number.")})
