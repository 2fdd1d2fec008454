"""What the surveys' tests share: a round of DG's open on the day the tests run, paper
tallies typed in by choice code, and a citizen's answer as a browser sends it."""

import html
import re
from datetime import date

from surveys.models import Choice, Round
from surveys.services import Period, survey_round_open, survey_tally_record


def open_round(unit, clerk, first=date(2026, 10, 1), last=date(2026, 12, 31)) -> Round:
    return survey_round_open(unit=unit, period=Period(first, last), by=clerk)


def choice_ids(survey: Round) -> dict[str, int]:
    return dict(Choice.objects.filter(question__questionnaire=survey.questionnaire)
                .values_list("code", "pk"))


def tally(survey: Round, clerk, forms: int, **by_code: int):
    ids = choice_ids(survey)
    return survey_tally_record(survey=survey, forms=forms,
                               counts={ids[code]: n for code, n in by_code.items()}, by=clerk)


def tally_body(survey: Round, forms: int, **by_code: int) -> dict:
    ids = choice_ids(survey)
    return {"forms": str(forms), **{f"c{ids[code]}": str(n) for code, n in by_code.items()}}


def answer_form(client, unit_code="DG", prefix="") -> dict:
    """The hidden fields of a fresh survey form, as a browser sends them back."""
    page = client.get(f"{prefix}/survey/{unit_code}/").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    return {"token": html.unescape(token), "website": ""}


def answers(survey: Round, **by_question: str) -> dict:
    """`service="got"` as the radio button's value: the choice's id."""
    ids = choice_ids(survey)
    return {f"q-{question}": str(ids[choice]) for question, choice in by_question.items()}


def round_open_today(unit) -> Round:
    """A round of `unit` open today, whatever day the tests run on, opened by a clerk of
    its own."""
    from datetime import timedelta

    from django.utils import timezone

    from org.models import Role
    from tests.conftest import make_staff

    today = timezone.localdate()
    clerk = make_staff(f"survey_clerk_{unit.code.lower()}", unit, Role.CLERK)
    return open_round(unit, clerk, today - timedelta(days=10), today + timedelta(days=10))


def answer_as_a_citizen(client, survey: Round, prefix="", **by_question: str):
    data = {**answer_form(client, survey.unit.code, prefix),
            **answers(survey, **(by_question or {"service": "got", "source": "website"}))}
    return client.post(f"{prefix}/survey/{survey.unit.code}/", data)
