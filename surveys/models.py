"""Satisfaction surveys (сэтгэл ханамжийн судалгаа): a unit's questionnaire, its rounds, and
the answers counted per choice.

Answers are kept only as counts: how many paper forms in a stack the clerk typed in chose
each choice (a TallyBatch and its Tally rows), and how many citizens answering on the web
chose it (one Tally row per choice of the round, without a batch, counted up in place).
No single answer is kept, and nothing about who gave it: no time, no address, no browser.
There is no free text, so there is nothing to seal.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from org.models import Unit


def in_language(mongolian: str, english: str) -> str:
    """The questionnaire's own text in the language of the page (Mongolian first)."""
    return english if (get_language() or "mn").startswith("en") and english else mongolian


class Questionnaire(models.Model):
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="questionnaires")
    title_mn = models.CharField(_("title (Mongolian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return in_language(self.title_mn, self.title_en)


class Question(models.Model):
    """A single-choice question, shown in `position` order."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE,
                                      related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.SlugField(_("code"), max_length=40)
    text_mn = models.CharField(_("question (Mongolian)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"],
                                               name="survey_question_code_once")]

    def __str__(self):
        return self.text

    @property
    def text(self) -> str:
        return in_language(self.text_mn, self.text_en)


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.SlugField(_("code"), max_length=40)
    text_mn = models.CharField(_("choice (Mongolian)"), max_length=200)
    text_en = models.CharField(_("choice (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["question", "code"],
                                               name="survey_choice_code_once")]

    def __str__(self):
        return self.text

    @property
    def text(self) -> str:
        return in_language(self.text_mn, self.text_en)


class RoundQuerySet(models.QuerySet):
    def for_unit(self, unit):
        return self.filter(unit=unit)

    def open_on(self, day):
        """Rounds whose period holds `day`: the ones a citizen may answer on the web."""
        return self.filter(first_day__lte=day, last_day__gte=day)

    def begun_within(self, first, last):
        """Rounds that begin within [first, last]: a period's report counts a round once,
        in the period it began."""
        return self.filter(first_day__gte=first, first_day__lte=last)


class Round(models.Model):
    """One round of a unit's survey: numbered within the year it begins."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="survey_rounds")
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("round"))
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT,
                                      related_name="rounds")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    # How many citizens answered on the web; their choices are the round's web Tally rows.
    web_respondents = models.PositiveIntegerField(_("answers on the web"), default=0)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "number"],
                                    name="survey_round_number_once"),
            models.CheckConstraint(condition=Q(last_day__gte=models.F("first_day")),
                                   name="survey_round_period_in_order"),
        ]

    def __str__(self):
        return f"{self.year}-{self.number}"

    @property
    def label(self) -> str:
        return str(self)

    def paper_forms(self) -> int:
        return self.batches.aggregate(forms=Sum("forms"))["forms"] or 0

    def respondents(self) -> int:
        return self.paper_forms() + self.web_respondents


class TallyBatch(models.Model):
    """A stack of paper forms the clerk counted and typed in."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="batches")
    forms = models.PositiveIntegerField(_("paper forms"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"),
                                   on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        ordering = ["entered_at", "pk"]

    def __str__(self):
        return f"{self.round}: {self.forms}"


class Tally(models.Model):
    """How many chose `choice`: in one paper batch, or (batch empty) on the web."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="tallies")
    choice = models.ForeignKey(Choice, on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(TallyBatch, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="tallies")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "choice"], condition=Q(batch=None),
                                    name="survey_web_tally_once"),
            models.UniqueConstraint(fields=["batch", "choice"], name="survey_batch_tally_once"),
        ]

    def __str__(self):
        return f"{self.round} {self.choice_id}: {self.count}"
