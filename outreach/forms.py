from django import forms
from django.utils.translation import gettext_lazy as _

from intake.fields import PlainTextField
from outreach.models import Slide


class ScreenSettingsForm(forms.Form):
    slides = forms.MultipleChoiceField(
        label=_("Slides to show"), choices=Slide.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one slide.")})
    seconds = forms.IntegerField(
        label=_("Seconds each slide stays"), min_value=5, max_value=120,
        error_messages={"min_value": _("At least 5 seconds, so that people can read it."),
                        "max_value": _("At most 120 seconds.")})
    campaign_text = PlainTextField(
        label=_("Campaign text"), required=False, max_length=600,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For example the Anti-Corruption Agency's current message. Shown as it "
                    "is written; leave it empty to show no campaign slide."))

    def clean(self):
        data = super().clean()
        if Slide.CAMPAIGN in data.get("slides", []) and not data.get("campaign_text", "").strip():
            self.add_error("campaign_text", _("Write the campaign text, or untick its slide."))
        return data


class PublicationForm(forms.Form):
    said = PlainTextField(
        label=_("You said: what was raised"), max_length=400,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In a few words of your own. Never copy the reporter's words, and write "
                    "nothing that shows who they are or whom they named."),
        error_messages={"required": _("Write what was raised.")})
    did = PlainTextField(
        label=_("We did: what the unit did"), max_length=400,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write what the unit did.")})
