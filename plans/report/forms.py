"""The implementation report's forms: a measure's wording and level, and the reason for a
correction. plans.reports checks the rules again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from intake.fields import PlainTextField
from plans.reports import levels

MAX_TEXT = 20000


class PerformanceForm(forms.Form):
    text = PlainTextField(label=_("Performance"), max_length=MAX_TEXT, required=False,
                          widget=forms.Textarea(attrs={"rows": 5}))
    level = forms.TypedChoiceField(label=_("Level of implementation"), coerce=int)
    redraft = forms.BooleanField(label=_("Draft the text again from the records"),
                                 required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(str(level), f"{level}%") for level in levels()]


class CorrectForm(forms.Form):
    reason = PlainTextField(label=_("Why it is corrected"), max_length=500,
                            widget=forms.Textarea(attrs={"rows": 2}),
                            error_messages={"required": _("Say why the report is corrected.")})


class LetterSentForm(forms.Form):
    letter_number = forms.CharField(label=_("Letter number"), max_length=64,
                                    error_messages={"required": _("Enter the letter's number.")})
