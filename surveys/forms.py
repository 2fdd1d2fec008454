"""The surveys' forms: opening a round and a batch of paper tallies (staff), and a citizen's
answer (public). The forms check what was typed; surveys.services checks the rules again.

The fields of a tally batch and of an answer follow the round's questionnaire: one number
per choice (`c<choice id>`), one radio group per question (`q-<question code>`).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.dates import DayField
from intake.public.forms import TOKEN_REFUSED, form_token_age, new_form_token
from surveys.models import Choice, Round
from surveys.services import MAX_FORMS, Period

# The web answer's signed, dated token (intake.public.forms.new_form_token with a salt of
# our own): only a form this site gave out is counted against the rate limits, and a form
# is counted once.
TOKEN_SALT = "surveys.answer-form"


class RoundOpenForm(forms.Form):
    first_day = DayField(label=_("First day"))
    last_day = DayField(label=_("Last day"))

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and last < first:
            raise ValidationError(_("The last day comes before the first day."), code="order")
        return cleaned

    def period(self) -> Period:
        return Period(self.cleaned_data["first_day"], self.cleaned_data["last_day"])


def _questions(survey: Round):
    return survey.questionnaire.questions.prefetch_related("choices")


class TallyForm(forms.Form):
    """How many forms are in the stack, and how many of them chose each choice (blank: 0)."""

    forms = forms.IntegerField(label=_("Paper forms in this stack"), min_value=1,
                               max_value=MAX_FORMS)

    def __init__(self, *args, survey: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = []
        for question in _questions(survey):
            names = []
            for choice in question.choices.all():
                name = f"c{choice.pk}"
                self.fields[name] = forms.IntegerField(
                    label=choice.text, required=False, min_value=0, max_value=MAX_FORMS)
                names.append(name)
            self.groups.append((question, names))

    def grouped(self):
        """(question, its bound fields) in the questionnaire's order, for the template."""
        return [(question, [self[name] for name in names]) for question, names in self.groups]

    def counts(self) -> dict[int, int]:
        return {int(name[1:]): value or 0 for name, value in self.cleaned_data.items()
                if name.startswith("c")}


class SurveyAnswerForm(forms.Form):
    pow_bits = 0  # set while the site is under pressure (intake.ratelimit)

    # Left empty by people; filled in by the simple robots that flood forms.
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    token = forms.CharField(widget=forms.HiddenInput, max_length=200,
                            error_messages={"required": TOKEN_REFUSED,
                                            "max_length": TOKEN_REFUSED})

    def __init__(self, *args, survey: Round, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", new_form_token(TOKEN_SALT))
        self.choices: dict[str, Choice] = {}
        self.question_fields = []
        for question in _questions(survey):
            name = f"q-{question.code}"
            options = [(str(choice.pk), choice.text) for choice in question.choices.all()]
            self.choices.update({str(choice.pk): choice for choice in question.choices.all()})
            self.fields[name] = forms.ChoiceField(
                label=question.text, choices=options, widget=forms.RadioSelect,
                error_messages={"required": _("Choose one answer."),
                                "invalid_choice": _("Choose one of the answers shown.")})
            self.question_fields.append(name)

    def questions(self):
        return [self[name] for name in self.question_fields]

    def clean_token(self):
        if form_token_age(self.cleaned_data["token"], TOKEN_SALT) is None:
            raise ValidationError(TOKEN_REFUSED, code="token")
        return self.cleaned_data["token"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise ValidationError(_("The form could not be accepted. Reload the page and try "
                                    "again."), code="robot")
        return cleaned

    def renew_token(self):
        """A refused token is replaced, so that sending again can succeed; the answers chosen
        are kept."""
        self.data = self.data.copy()
        self.data["token"] = new_form_token(TOKEN_SALT)

    def chosen(self) -> list[Choice]:
        return [self.choices[self.cleaned_data[name]] for name in self.question_fields]

