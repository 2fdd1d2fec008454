"""What a survey found: each choice's share of the answers to its question, with the 95 %
margin of error beside it, for one round or for every round of a period.

This is the surveys app's public face to other apps (the plan report states a period's
results with `period_summary` and `summary_sentences`). A round counts in the period it
begins (`Round.objects.begun_within`). Questions and choices are matched across rounds by
their codes; the newest questionnaire gives their order and words.

The margin of error is the normal approximation, 1.96 · √(p(1 − p) / n), in percentage
points: 400 answers at p = 0.5 give ±4.9.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from surveys.models import Round, Tally

Z_95 = 1.96


@dataclass(frozen=True)
class Share:
    label: str
    count: int
    total: int
    percent: float
    margin: float  # 95 % margin of error in percentage points


@dataclass(frozen=True)
class QuestionResult:
    code: str
    text: str
    shares: list[Share]

    @property
    def total(self) -> int:
        return self.shares[0].total if self.shares else 0


@dataclass(frozen=True)
class PeriodSummary:
    rounds: int
    answers: int
    questions: list[QuestionResult]


def margin_of_error(share: float, answers: int) -> float:
    """The 95 % margin of error of `share` (0–1) among `answers`, in percentage points, to one
    decimal; 0 when there are no answers."""
    if answers <= 0:
        return 0.0
    return round(100 * Z_95 * math.sqrt(share * (1 - share) / answers), 1)


def share_of(label: str, count: int, total: int) -> Share:
    if total <= 0:
        return Share(label, count, 0, 0.0, 0.0)
    part = count / total
    return Share(label, count, total, round(100 * part, 1), margin_of_error(part, total))


def _layout(rounds: list[Round]) -> dict[str, tuple[str, dict[str, str]]]:
    """Question code -> (its words, choice code -> its words), newest questionnaire first."""
    layout: dict[str, tuple[str, dict[str, str]]] = {}
    newest_first = sorted({r.questionnaire for r in rounds},
                          key=lambda q: (q.created_at, q.pk), reverse=True)
    for questionnaire in newest_first:
        for question in questionnaire.questions.prefetch_related("choices"):
            text, choices = layout.setdefault(question.code, (question.text, {}))
            for choice in question.choices.all():
                choices.setdefault(choice.code, choice.text)
    return layout


def _counts(round_ids: list[int]) -> dict[tuple[str, str], int]:
    rows = (Tally.objects.filter(round_id__in=round_ids)
            .values_list("choice__question__code", "choice__code")
            .annotate(n=Sum("count")).order_by())
    return {(question, choice): n for question, choice, n in rows}


def summarise(rounds: Iterable[Round]) -> PeriodSummary:
    """The results of `rounds` together: paper batches and web answers added up."""
    rounds = list(rounds)
    counts = _counts([r.pk for r in rounds])
    questions = []
    for code, (text, choices) in _layout(rounds).items():
        total = sum(counts.get((code, choice), 0) for choice in choices)
        questions.append(QuestionResult(code, text, [
            share_of(label, counts.get((code, choice), 0), total)
            for choice, label in choices.items()]))
    return PeriodSummary(rounds=len(rounds), answers=sum(r.respondents() for r in rounds),
                         questions=questions)


def period_summary(unit, first: date, last: date) -> PeriodSummary | None:
    """The unit's rounds that begin within [first, last], together; None when none of them
    has an answer (a report then has nothing to state). The questions' and choices' words
    are those of the language active when it is called."""
    rounds = (Round.objects.for_unit(unit).begun_within(first, last)
              .select_related("questionnaire").order_by("first_day", "number"))
    summary = summarise(rounds)
    return summary if summary.answers else None


def percent_text(value: float) -> str:
    """74 as "74", 4.25 as "4,3" in Mongolian ("4.3" in English)."""
    whole = round(value)
    if abs(value - whole) < 0.05:
        return number_format(whole, 0)
    return number_format(value, 1)


def summary_sentences(summary: PeriodSummary) -> list[str]:
    """The plain sentences a report states about a period's surveys, in the active language:
    how many rounds and citizens, each question's shares (whole percents, as on paper), and
    the survey's margin of error, as surveys state it: the widest any share could have
    (p = 0.5) among the fewest answers a stated question had."""
    sentences = [ngettext(
        "In the period a satisfaction survey was taken %(rounds)s time, from %(answers)s "
        "citizens.",
        "In the period a satisfaction survey was taken %(rounds)s times, from %(answers)s "
        "citizens.", summary.rounds) % {"rounds": summary.rounds, "answers": summary.answers}]
    fewest = None
    for question in summary.questions:
        shares = [share for share in question.shares if share.count]
        if not shares:
            continue
        fewest = question.total if fewest is None else min(fewest, question.total)
        listed = ", ".join(
            _("%(percent)s %% “%(label)s”") % {"percent": number_format(round(share.percent), 0),
                                                "label": share.label}
            for share in shares)
        sentences.append(_("Answers to “%(question)s”: %(shares)s.")
                         % {"question": question.text, "shares": listed})
    if fewest:
        sentences.append(_("The margin of error is at most ±%(margin)s points at 95 %% "
                           "confidence.") % {"margin": percent_text(margin_of_error(0.5, fewest))})
    return sentences
