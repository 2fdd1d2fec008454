"""The survey workflows: a questionnaire from the reference, opening a round, a batch of
paper tallies typed in by the clerk, and one citizen's answer on the web.

Staff actions are audited in the same transaction (who, when, how many forms); a citizen's
answer is not: it only counts up the round's web tallies, so that nothing records when any
one answer came in.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from audit.services import record
from org.models import Unit
from surveys import reference
from surveys.access import may_write, require
from surveys.models import Choice, Question, Questionnaire, Round, Tally, TallyBatch

# A stack of paper forms typed in at once; more is a typing slip.
MAX_FORMS = 10_000


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date


@transaction.atomic
def questionnaire_reference_create(*, unit: Unit) -> Questionnaire:
    """A new questionnaire for `unit` with the reference report's questions."""
    questionnaire = Questionnaire.objects.create(
        unit=unit, title_mn=reference.TITLE[0], title_en=reference.TITLE[1])
    for position, (code, text_mn, text_en, choices) in enumerate(reference.QUESTIONS, 1):
        question = Question.objects.create(questionnaire=questionnaire, position=position,
                                           code=code, text_mn=text_mn, text_en=text_en)
        Choice.objects.bulk_create(
            Choice(question=question, position=index, code=choice_code, text_mn=choice_mn,
                   text_en=choice_en)
            for index, (choice_code, choice_mn, choice_en) in enumerate(choices, 1))
    return questionnaire


def questionnaire_of(unit: Unit) -> Questionnaire | None:
    """The unit's newest questionnaire, which new rounds use."""
    return Questionnaire.objects.filter(unit=unit).first()


def _check_period(unit: Unit, period: Period) -> None:
    if period.last_day < period.first_day:
        raise ValidationError(_("The last day comes before the first day."), code="order")
    if (period.last_day - period.first_day).days > 366:
        raise ValidationError(_("A round lasts at most a year."), code="long")
    overlapping = Round.objects.for_unit(unit).filter(
        first_day__lte=period.last_day, last_day__gte=period.first_day).first()
    if overlapping:
        raise ValidationError(
            _("Round %(round)s already covers part of this period.") % {
                "round": overlapping.label}, code="overlap")


@transaction.atomic
def survey_round_open(*, unit: Unit, period: Period, by) -> Round:
    """Opens the next round of the year `period` begins in, with the unit's newest
    questionnaire (the reference one when it has none). Periods of a unit's rounds do not
    overlap, so a web answer always belongs to one round."""
    require(may_write(by, unit))
    Unit.objects.select_for_update().filter(pk=unit.pk).first()  # one opening at a time
    _check_period(unit, period)
    questionnaire = questionnaire_of(unit) or questionnaire_reference_create(unit=unit)
    year = period.first_day.year
    last = Round.objects.for_unit(unit).filter(year=year).aggregate(n=Max("number"))["n"]
    survey = Round.objects.create(
        unit=unit, year=year, number=(last or 0) + 1, first_day=period.first_day,
        last_day=period.last_day, questionnaire=questionnaire, opened_by=by)
    choices = Choice.objects.filter(question__questionnaire=questionnaire)
    Tally.objects.bulk_create(Tally(round=survey, choice=choice) for choice in choices)
    record(actor=by, action="survey.round_opened", target=survey, unit=unit, details={
        "survey_round": survey.label, "first_day": period.first_day.isoformat(),
        "last_day": period.last_day.isoformat()})
    return survey


def _check_tallies(survey: Round, forms: int, counts: dict[int, int]) -> None:
    if not 1 <= forms <= MAX_FORMS:
        raise ValidationError(_("Give the number of paper forms, from 1 to %(most)s.")
                              % {"most": MAX_FORMS}, code="forms")
    choices = {choice.pk: choice for choice in Choice.objects.filter(
        question__questionnaire_id=survey.questionnaire_id).select_related("question")}
    if set(counts) - set(choices) or any(n < 0 for n in counts.values()):
        raise ValidationError(_("The tallies do not match this round's questions."),
                              code="choices")
    by_question: dict[Question, int] = {}
    for choice_id, n in counts.items():
        question = choices[choice_id].question
        by_question[question] = by_question.get(question, 0) + n
    over = [question for question, total in by_question.items() if total > forms]
    if over:
        raise ValidationError(
            _("The tallies of “%(question)s” add up to more than the %(forms)s forms: each "
              "form gives one answer to a question.") % {"question": over[0].text,
                                                         "forms": forms}, code="over")


@transaction.atomic
def survey_tally_record(*, survey: Round, forms: int, counts: dict[int, int], by) -> TallyBatch:
    """A stack of `forms` paper forms and how many of them chose each choice (by its id).
    A question left blank on some forms adds up to less than `forms`, never to more."""
    require(may_write(by, survey.unit))
    _check_tallies(survey, forms, counts)
    batch = TallyBatch.objects.create(round=survey, forms=forms, entered_by=by)
    Tally.objects.bulk_create(Tally(round=survey, choice_id=choice_id, batch=batch, count=n)
                              for choice_id, n in counts.items() if n)
    record(actor=by, action="survey.tallied", target=survey, unit=survey.unit, details={
        "survey_round": survey.label, "paper_forms": forms,
        "answers_counted": sum(counts.values())})
    return batch


@transaction.atomic
def survey_answer_record(*, survey: Round, choices: list[Choice]) -> None:
    """One citizen's answer on the web: one choice per question of the round's
    questionnaire. Counts only; nothing about the citizen or the moment is kept."""
    questions = set(Question.objects.filter(questionnaire_id=survey.questionnaire_id)
                    .values_list("pk", flat=True))
    chosen = [choice.question_id for choice in choices]
    if sorted(chosen) != sorted(questions):
        raise ValidationError(_("Answer every question once."), code="incomplete")
    updated = Tally.objects.filter(round=survey, batch=None, choice__in=choices).update(
        count=F("count") + 1)
    if updated != len(choices):
        raise ValidationError(_("The answer does not match this survey."), code="choices")
    Round.objects.filter(pk=survey.pk).update(web_respondents=F("web_respondents") + 1)
