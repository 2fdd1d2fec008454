"""The plan's forms: making a year's plan, its goals and measures, and the work recorded
against them. They check what was typed; plans.services checks the rules again."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from core.dates import DayField
from intake.fields import AttachmentsField, PlainTextField
from plans.models import ActivityKind, OutreachChannel, Source

MAX_TEXT = 4000
MAX_LINE = 200
MEASURE_NUMBER = RegexValidator(r"^\d{1,2}\.\d{1,2}$",
                                _("Number the measure as on paper, for example 3.2."))


class CreateForm(forms.Form):
    COPIES = [("last_year", _("Copy last year's plan")),
              ("template", _("Copy the template of the unit above")),
              ("empty", _("Start from an empty plan"))]

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    copy = forms.ChoiceField(label=_("Start from"), choices=COPIES, initial="last_year",
                             widget=forms.RadioSelect)


class ActionForm(forms.Form):
    """The version of the plan the action is meant for: an action on a plan that moved on
    in the meantime is refused rather than applied to something the person did not see."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=999)


class GoalForm(ActionForm):
    number = forms.IntegerField(label=_("Goal number"), min_value=1, max_value=99)
    text = PlainTextField(label=_("Goal"), max_length=MAX_TEXT,
                          widget=forms.Textarea(attrs={"rows": 2}))


class MeasureForm(ActionForm):
    goal = forms.IntegerField(label=_("Under goal"), min_value=1, max_value=99)
    number = forms.CharField(label=_("Measure number"), max_length=5,
                             validators=[MEASURE_NUMBER],
                             help_text=_("An existing number rewrites that measure."))
    text = PlainTextField(label=_("Measure"), max_length=MAX_TEXT,
                          widget=forms.Textarea(attrs={"rows": 3}))
    criterion = PlainTextField(label=_("Criterion"), max_length=MAX_TEXT, required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    responsible = PlainTextField(label=_("Responsible"), max_length=MAX_LINE, required=False)
    due = DayField(label=_("Due by"), required=False)
    source = forms.ChoiceField(label=_("Performance drafted from"), choices=Source.choices,
                               initial=Source.NONE)


class MeasureChoiceForm(forms.Form):
    """A form whose first field picks one of the plan's measures by number."""

    measure = forms.ChoiceField(label=_("Measure"))

    def __init__(self, *args, measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.measures = {m.number: m for m in measures}
        self.fields["measure"].choices = [
            (number, f"{number} {m.text[:60]}") for number, m in self.measures.items()]

    def clean_measure(self):
        return self.measures[self.cleaned_data["measure"]]


class ActivityForm(MeasureChoiceForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    channel = forms.ChoiceField(label=_("Channel (for an outreach posting)"), required=False,
                                choices=[("", "—"), *OutreachChannel.choices])
    day = DayField(label=_("Date"), required=True, not_future=True)
    place = PlainTextField(label=_("Place"), max_length=MAX_LINE, required=False)
    description = PlainTextField(label=_("What was done"), max_length=MAX_TEXT,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    feedback = PlainTextField(label=_("Feedback received (open days)"), max_length=MAX_TEXT,
                              required=False, widget=forms.Textarea(attrs={"rows": 2}))
    files = AttachmentsField(label=_("Evidence (photos, attendance sheet)"),
                             help_text=_("Photos or PDF files; they are stored encrypted."))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == ActivityKind.OUTREACH and not cleaned.get("channel"):
            self.add_error("channel", _("Say on which channel it was posted."))
        return cleaned


class TrainingForm(MeasureChoiceForm):
    day = DayField(label=_("Date"), required=True, not_future=True)
    topic = PlainTextField(label=_("Topics"), max_length=500)
    trainer = PlainTextField(label=_("Trainer"), max_length=MAX_LINE)
    articles = PlainTextField(label=_("Articles of the Anti-Corruption Law introduced"),
                              max_length=500, required=False)
    attendees = forms.MultipleChoiceField(label=_("Who attended"), required=False,
                                          widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].choices = [
            (str(person.pk), person.get_full_name() or person.get_username())
            for person in staff]

    def clean_attendees(self):
        return [int(pk) for pk in self.cleaned_data["attendees"]]
