"""A citizen answers the survey at /survey/<unit>/: no account, a plain POST that works
without JavaScript, bad input refused with a translated reason and nothing counted, the
report form's abuse limits, and each form counted once."""

import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from intake import ratelimit
from intake.ratelimit import Limit
from surveys.models import Round, Tally
from tests.surveys.helpers import answer_form, answers, open_round

pytestmark = pytest.mark.django_db
NOVEMBER = datetime(2026, 11, 3, 10, 0, tzinfo=timezone.get_default_timezone())


@pytest.fixture(autouse=True)
def _in_november_with_fresh_limits():
    cache.clear()
    with time_machine.travel(NOVEMBER, tick=True):
        yield
    cache.clear()


@pytest.fixture
def survey(units, personas):
    return open_round(units["DG"], personas["clerk"])


def web_counts(survey) -> dict[str, int]:
    return dict(Tally.objects.filter(round=survey, batch=None)
                .values_list("choice__code", "count"))


def test_a_citizen_answers_with_a_plain_post_and_is_thanked(client, survey):
    page = client.get("/survey/DG/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Өнөөдөр үйлчилгээ авахад тань ямар байсан бэ?" in text
    assert "<script" not in text  # nothing needs JavaScript (none is asked for when calm)
    assert re.search(r'<form method="post" class="form survey"', text)
    sent = client.post("/survey/DG/", {**answer_form(client), **answers(
        survey, service="got", source="website")})
    assert sent.status_code == 302 and sent["Location"] == "/survey/DG/thanks/"
    assert client.get(sent["Location"]).status_code == 200
    survey.refresh_from_db()
    assert survey.web_respondents == 1
    assert web_counts(survey)["got"] == 1 and web_counts(survey)["website"] == 1
    assert sum(web_counts(survey).values()) == 2


def test_the_english_page_shows_the_questions_in_english(client, survey):
    page = client.get("/en/survey/dg/").content.decode()
    assert "How was your visit today?" in page and "The website" in page


@pytest.mark.parametrize("body", [
    {"service": "got"},  # a question left out
    {"service": "nonsense", "source": "website"},
    {"service": "got", "source": "website", "website": "http://spam"},  # the robots' field
])
def test_bad_input_is_refused_with_a_reason_and_nothing_is_counted(client, survey, body):
    data = {**answer_form(client)}
    for question, value in body.items():
        if question == "website":
            data["website"] = value
        elif value == "nonsense":
            data[f"q-{question}"] = "999999"
        else:
            data.update(answers(survey, **{question: value}))
    response = client.post("/survey/DG/", data)
    assert response.status_code == 400
    assert 'class="errors" role="alert"' in response.content.decode()
    assert sum(web_counts(survey).values()) == 0
    assert Round.objects.get(pk=survey.pk).web_respondents == 0


def test_the_refusal_is_in_english_on_the_english_page(client, survey):
    data = {**answer_form(client, prefix="/en"), **answers(survey, service="got")}
    page = client.post("/en/survey/DG/", data).content.decode()
    assert "Choose one answer." in page


def test_a_made_up_token_is_refused_and_a_fresh_one_given(client, survey):
    response = client.post("/survey/DG/", {"token": "made-up", **answers(
        survey, service="got", source="board")})
    assert response.status_code == 400
    assert 'value="made-up"' not in response.content.decode()
    assert sum(web_counts(survey).values()) == 0


def test_a_form_sent_twice_is_counted_once(client, survey):
    data = {**answer_form(client), **answers(survey, service="advice", source="media")}
    assert client.post("/survey/DG/", data).status_code == 302
    assert client.post("/survey/DG/", data).status_code == 409
    assert Round.objects.get(pk=survey.pk).web_respondents == 1


def test_the_abuse_limit_applies_per_client(client, survey, monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "survey", (Limit(2, 600), Limit(100, 60)))
    statuses = [client.post("/survey/DG/", {**answer_form(client), **answers(
        survey, service="got", source="website")}, REMOTE_ADDR="192.0.2.7").status_code
        for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert Round.objects.get(pk=survey.pk).web_respondents == 2
    # Another client still may.
    assert client.post("/survey/DG/", {**answer_form(client), **answers(
        survey, service="got", source="website")}, REMOTE_ADDR="192.0.2.8").status_code == 302


def test_the_survey_has_its_own_budget_with_the_report_forms_figures():
    assert ratelimit.LIMITS["survey"] == ratelimit.LIMITS["report"]


def test_under_pressure_the_page_asks_for_work_or_a_wait(client, survey, monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "survey", (Limit(50, 600), Limit(1, 60)))
    assert client.post("/survey/DG/", {**answer_form(client), **answers(
        survey, service="got", source="website")}).status_code == 302
    page = client.get("/survey/DG/").content.decode()
    assert 'name="pow"' in page and "/static/js/pow.js" in page
    # Without JavaScript, a form just given out must wait: refused, nothing counted.
    refused = client.post("/survey/DG/", {**answer_form(client), **answers(
        survey, service="got", source="website")})
    assert refused.status_code == 429
    assert Round.objects.get(pk=survey.pk).web_respondents == 1
    # Half a minute later the same form goes through.
    data = {**answer_form(client), **answers(survey, service="crowded", source="family")}
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        assert client.post("/survey/DG/", data).status_code == 302


def test_no_round_open_says_so_and_an_unknown_unit_is_not_found(client, units, personas):
    open_round(units["DG"], personas["clerk"], date(2026, 1, 1), date(2026, 3, 31))
    page = client.get("/en/survey/DG/")
    assert page.status_code == 200 and "No survey is open" in page.content.decode()
    assert 'name="token"' not in page.content.decode()
    assert client.post("/survey/DG/", {}).status_code == 404
    assert client.get("/survey/XX/").status_code == 404
