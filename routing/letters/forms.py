"""The clerk's note that a printed letter went out."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake.fields import DayField


class LetterSentForm(forms.Form):
    letter_number = forms.CharField(label=_("Letter number"), max_length=64,
                                    error_messages={"required": _("Enter the letter's number.")})
    sent_on = DayField(label=_("Sent on"), required=True)

    def clean_sent_on(self):
        day = self.cleaned_data["sent_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The letter cannot have been sent in the future."))
        return day
