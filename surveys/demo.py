"""The demo department's surveys of 2026: the reference questionnaire and four quarterly
rounds of 100 paper forms each, whose tallies add up to the reference report's figures
(400 citizens; 74 % got the service they wanted, 24 % came for advice, 2 % found it
crowded; website 34 %, Facebook 26 %, colleagues 27 %, the rest from the board, the media
and family). The fourth round is open on the web until the end of the year."""

from datetime import date

from surveys.models import Choice, Round
from surveys.services import Period, survey_round_open, survey_tally_record

UNIT = "DG"
YEAR = 2026
FORMS = 100
QUARTERS = [(date(YEAR, 1, 1), date(YEAR, 3, 31)), (date(YEAR, 4, 1), date(YEAR, 6, 30)),
            (date(YEAR, 7, 1), date(YEAR, 9, 30)), (date(YEAR, 10, 1), date(YEAR, 12, 31))]
# Choice code -> its count in each of the four rounds.
TALLIES = {
    "got": (73, 75, 74, 74), "advice": (25, 23, 24, 24), "crowded": (2, 2, 2, 2),
    "website": (33, 35, 34, 34), "facebook": (27, 25, 26, 26),
    "colleagues": (26, 28, 27, 27), "board": (7, 5, 6, 6), "media": (4, 4, 4, 4),
    "family": (3, 3, 3, 3),
}


def seed_surveys(units, people, stdout) -> None:
    unit, clerk = units[UNIT], people["clerk"]
    if Round.objects.for_unit(unit).filter(year=YEAR).exists():
        return
    for index, (first, last) in enumerate(QUARTERS):
        survey = survey_round_open(unit=unit, period=Period(first, last), by=clerk)
        choices = Choice.objects.filter(question__questionnaire=survey.questionnaire)
        counts = {choice.pk: TALLIES[choice.code][index] for choice in choices}
        survey_tally_record(survey=survey, forms=FORMS, counts=counts, by=clerk)
    stdout.write(f"  {UNIT}: four survey rounds of {YEAR}, {FORMS} paper forms each; the "
                 f"last one takes answers at /survey/{UNIT}/ until 31 December.")
