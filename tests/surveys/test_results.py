"""The results: shares, their 95 % margins of error, and what the plan report states."""

from datetime import date

import pytest
from django.utils import translation

from surveys.models import Choice, Round
from surveys.results import margin_of_error, period_summary, summary_sentences
from surveys.services import survey_answer_record
from tests.surveys.helpers import open_round, tally

QUARTERS = [(date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 4, 1), date(2026, 6, 30)),
            (date(2026, 7, 1), date(2026, 9, 30)), (date(2026, 10, 1), date(2026, 12, 31))]


def test_four_hundred_answers_at_one_half_give_four_point_nine_points():
    assert margin_of_error(0.5, 400) == 4.9
    assert margin_of_error(0.74, 400) == 4.3
    assert margin_of_error(0.02, 400) == 1.4
    assert margin_of_error(0.5, 100) == 9.8
    assert margin_of_error(0.5, 0) == 0.0
    assert margin_of_error(1.0, 50) == 0.0


def reference_year(units, clerk):
    """Four rounds of 100 paper forms: 74/24/2 % and 34/26/27 % over the year."""
    service = [(73, 25, 2), (75, 23, 2), (74, 24, 2), (74, 24, 2)]
    for (first, last), (got, advice, crowded) in zip(QUARTERS, service, strict=True):
        survey = open_round(units["DG"], clerk, first, last)
        tally(survey, clerk, 100, got=got, advice=advice, crowded=crowded, website=34,
              facebook=26, colleagues=27, board=6, media=4, family=3)


@pytest.mark.django_db
def test_a_years_rounds_add_up_to_the_reference_figures(units, personas):
    reference_year(units, personas["clerk"])
    summary = period_summary(units["DG"], date(2026, 1, 1), date(2026, 12, 31))
    assert (summary.rounds, summary.answers) == (4, 400)
    service, source = summary.questions
    assert [s.percent for s in service.shares] == [74.0, 24.0, 2.0]
    assert [s.count for s in service.shares] == [296, 96, 8]
    assert [s.margin for s in service.shares] == [4.3, 4.2, 1.4]
    assert {s.total for s in service.shares} == {400}
    assert [s.percent for s in source.shares][:3] == [34.0, 26.0, 27.0]
    # Only the rounds that begin in the period count.
    half = period_summary(units["DG"], date(2026, 1, 1), date(2026, 6, 30))
    assert (half.rounds, half.answers) == (2, 200)
    assert period_summary(units["DG"], date(2025, 1, 1), date(2025, 12, 31)) is None
    assert period_summary(units["DU"], date(2026, 1, 1), date(2026, 12, 31)) is None


@pytest.mark.django_db
def test_paper_tallies_and_web_answers_add_up(units, personas):
    clerk = personas["clerk"]
    survey = open_round(units["DG"], clerk)
    tally(survey, clerk, 3, got=2, advice=1, website=3)
    tally(survey, clerk, 2, crowded=1, facebook=2)  # one form left "service" blank
    by_code = {choice.code: choice for choice in Choice.objects.filter(
        question__questionnaire=survey.questionnaire)}
    for _ in range(2):
        survey_answer_record(survey=survey, choices=[by_code["got"], by_code["board"]])
    survey.refresh_from_db()
    assert (survey.paper_forms(), survey.web_respondents, survey.respondents()) == (5, 2, 7)
    summary = period_summary(units["DG"], date(2026, 10, 1), date(2026, 10, 31))
    service, source = summary.questions
    assert [(s.label, s.count, s.total) for s in service.shares] == [
        ("Хүссэн үйлчилгээгээ авч чадсан", 4, 6), ("Зөвлөгөө, мэдээлэл авсан", 1, 6),
        ("Ачаалал ихтэй байсан", 1, 6)]
    assert sum(s.count for s in source.shares) == 7
    assert Round.objects.get(pk=survey.pk).tallies.filter(batch=None).count() == 9


@pytest.mark.django_db
def test_the_sentences_state_the_rounds_the_citizens_and_the_shares(units, personas):
    reference_year(units, personas["clerk"])
    summary = period_summary(units["DG"], date(2026, 1, 1), date(2026, 12, 31))
    with translation.override("mn"):
        sentences = summary_sentences(summary)
    assert sentences[0] == ("Тайлант хугацаанд 4 удаа, нийт 400 иргэнээс сэтгэл ханамжийн "
                            "судалгаа авсан.")
    assert "74 % нь «Хүссэн үйлчилгээгээ авч чадсан»" in sentences[1]
    assert "24 % нь «Зөвлөгөө, мэдээлэл авсан»" in sentences[1]
    assert "2 % нь «Ачаалал ихтэй байсан»" in sentences[1]
    assert "34 % нь «Вэб сайт»" in sentences[2]
    assert "±4,9" in sentences[3] or "±4.9" in sentences[3]
    with translation.override("en"):  # the questionnaire's words come in the active language
        english = summary_sentences(period_summary(units["DG"], date(2026, 1, 1),
                                                   date(2026, 12, 31)))
    assert english[0] == ("In the period a satisfaction survey was taken 4 times, from 400 "
                          "citizens.")
    assert "74 % “I got the service I wanted”" in english[1]
    assert english[3] == "The margin of error is at most ±4.9 points at 95 % confidence."
