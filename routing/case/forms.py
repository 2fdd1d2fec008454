"""Forms for triage and referrals on a case. Each validates before anything is saved; the
workflows in routing.services check the rules (roles, states, two people) again."""

from django import forms
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import ShortChoiceField
from intake.fields import MAX_BODY, ChosenRecordsField, DayField, PlainTextField, TitleField
from outbox.models import Agency
from routing.case.carry import FORM_ID
from routing.models import AgencyAnswer, Category, Priority

MAX_REASON = 1000
MAX_LETTER = 8000
SUGGESTION_SALT = "routing.triage.suggestion"


def sign_suggestion(suggestion: dict) -> str:
    """The suggestion shown, signed, so that the decision keeps exactly what the officer
    saw and nobody can post another one in its place."""
    return signing.dumps(suggestion, salt=SUGGESTION_SALT, compress=True)


class TriageForm(forms.Form):
    CORRUPTION_CHOICES = [
        ("", _("As the categories say")),
        ("yes", _("Yes, corruption-related")),
        ("no", _("No, not corruption-related")),
    ]

    categories = ChosenRecordsField(
        label=_("Categories"), queryset=Category.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one category."),
                        "invalid_choice": _("Choose categories from the list."),
                        "invalid_pk_value": _("Choose categories from the list.")},
    )
    corruption = forms.ChoiceField(
        label=_("Corruption-related"), choices=CORRUPTION_CHOICES, required=False,
        help_text=_("Bribery, conflict of interest and abuse of office are "
                    "corruption-related; you may decide otherwise."),
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices,
                                 initial=Priority.NORMAL)
    reason = PlainTextField(label=_("Reason"), max_length=MAX_REASON,
                            widget=forms.Textarea(attrs={"rows": 2}),
                            error_messages={"required": _("Say briefly why.")})
    title = TitleField()
    suggestion = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Part of the read page's one form, like the referral's (routing.case.carry).
        for field in self.fields.values():
            field.widget.attrs["form"] = FORM_ID

    def clean_corruption(self):
        return {"": None, "yes": True, "no": False}[self.cleaned_data.get("corruption", "")]

    def clean_suggestion(self):
        token = self.cleaned_data.get("suggestion")
        if not token:
            return None
        try:
            return signing.loads(token, salt=SUGGESTION_SALT)
        except signing.BadSignature:
            # Shown above the form: the field itself is hidden.
            self.add_error(None, _("The suggestion shown could not be checked; read the "
                                   "case again."))
            return None


class ReferralForm(forms.Form):
    agency = ShortChoiceField(
        label=_("Agency"), queryset=Agency.objects.filter(active=True), empty_label=None,
        error_messages={"invalid_choice": _("Choose an agency from the list.")},
    )
    cover_letter = PlainTextField(label=_("Cover letter"), max_length=MAX_LETTER,
                                  widget=forms.Textarea(attrs={"rows": 10}),
                                  error_messages={"required": _("Write the cover letter.")})
    attachments = forms.MultipleChoiceField(
        label=_("Files to send"), required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose only this case's files.")},
    )
    include_reporter = forms.BooleanField(
        label=_("Include who the reporter is"), required=False,
        help_text=_("Leave unticked unless the reporter agreed to be named to the agency."),
    )
    redactions = PlainTextField(
        label=_("Black out"), max_length=MAX_BODY, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Words or phrases to black out of the complaint before it is sent, one "
                    "per line (for example a witness's name)."),
    )

    def __init__(self, *args, unit, files_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].choices = list(files_choices)
        # Only the agencies that serve this unit: another province's office is no choice.
        self.fields["agency"].queryset = Agency.objects.serving(unit)
        # Its fields belong to the page's one form, shared with the triage decision
        # (routing.case.carry), so neither button loses what was typed into the other.
        for field in self.fields.values():
            field.widget.attrs["form"] = FORM_ID


class ReturnForm(forms.Form):
    reason = PlainTextField(label=_("Why it goes back"), max_length=500,
                            widget=forms.Textarea(attrs={"rows": 2, "form": FORM_ID}),
                            error_messages={"required": _("Say why the referral goes back.")})


class AnswerForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the agency sent"), choices=AgencyAnswer.Kind.choices)
    answered_on = DayField(label=_("Date of the answer"), required=True)
    agency_reference = forms.CharField(label=_("Agency's reference number"), max_length=64,
                                       required=False)
    status = forms.CharField(label=_("Agency's status"), max_length=200, required=False)
    text = PlainTextField(label=_("What it says"), max_length=MAX_BODY, required=False,
                          widget=forms.Textarea(attrs={"rows": 3}))

    def clean_answered_on(self):
        day = self.cleaned_data["answered_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The answer cannot be dated in the future."))
        return day


