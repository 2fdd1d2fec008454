"""The staff's survey pages: the clerk opens rounds and types in stacks of paper forms; the
unit's staff and the heads above it read the results; every other unit is refused; bad
input saves nothing."""

from datetime import date, datetime

import pytest
import time_machine
from django.utils import timezone

from audit.models import AuditEvent
from org.models import Role
from surveys.models import Round, Tally, TallyBatch
from tests.conftest import make_staff
from tests.surveys import pages_surveys
from tests.surveys.helpers import open_round, tally, tally_body

pytestmark = pytest.mark.django_db
NOVEMBER = datetime(2026, 11, 3, 10, 0, tzinfo=timezone.get_default_timezone())
PERSONAS = ["clerk", "officer", "head", "auditor", "admin", "outsider", "national_head"]


@pytest.fixture(autouse=True)
def _in_november():
    with time_machine.travel(NOVEMBER, tick=True):
        yield


@pytest.fixture
def survey(units, personas):
    return pages_surveys.make_round(units["DG"], personas["clerk"])


def saved() -> tuple:
    return (Round.objects.count(), TallyBatch.objects.count(),
            sorted(Tally.objects.values_list("pk", "count")), AuditEvent.objects.count())


def expected(persona, allowed, method):
    if persona in allowed:
        return 302 if method == "post" else 200
    if persona == "outsider":  # DU's officer
        return 404
    return 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_what_it_may(client, signed_in, personas, survey, persona):
    signed_in(personas[persona])
    for name, kwargs, allowed, *method in pages_surveys.PAGES:
        method = method[0] if method else "get"
        url = pages_surveys.reverse_page(name, kwargs)
        before = saved()
        if method == "post":
            response = client.post(url, pages_surveys.post_data(name))
        else:
            response = client.get(url)
        assert response.status_code == expected(persona, allowed, method), (name, persona)
        if persona not in allowed:
            assert saved() == before, (name, persona)


def test_the_clerk_opens_a_round_and_enters_a_stack(client, signed_in, personas, units):
    signed_in(personas["clerk"])
    opened = client.post("/staff/u/DG/surveys/open/", {"first_day": "2026.10.01",
                                                       "last_day": "2026.12.31"})
    assert opened.status_code == 302 and opened["Location"] == "/staff/u/DG/surveys/2026/1/"
    survey = Round.objects.get(unit=units["DG"])
    sent = client.post("/staff/u/DG/surveys/2026/1/tally/", tally_body(
        survey, 100, got=74, advice=24, crowded=2, website=34, facebook=26, colleagues=27,
        board=6, media=4, family=3))
    assert sent.status_code == 302
    batch = TallyBatch.objects.get()
    assert (batch.forms, batch.entered_by) == (100, personas["clerk"])
    event = AuditEvent.objects.filter(action="survey.tallied").get()
    assert event.actor_user_id == personas["clerk"].pk
    page = client.get("/en/staff/u/DG/surveys/2026/1/").content.decode()
    assert "74.0 %" in page and "±8.6 points" in page and "<svg" in page
    assert "Entered by" in page


@pytest.mark.parametrize(("body", "reason"), [
    ({"forms": "10", "got": 8, "advice": 3}, "add up to more than the 10 forms"),
    ({"forms": "0", "got": 0}, "Ensure this value is greater than or equal to 1"),
    ({"forms": "abc"}, "Enter a whole number"),
    ({"forms": "10", "got": -1}, "greater than or equal to 0"),
])
def test_a_bad_stack_is_refused_with_its_reason_and_saves_nothing(
    client, signed_in, personas, survey, body, reason
):
    signed_in(personas["clerk"])
    forms = body.pop("forms")
    data = {**tally_body(survey, 1, **body), "forms": forms}
    before = saved()
    response = client.post("/en/staff/u/DG/surveys/2026/1/tally/", data)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert saved() == before


def test_rounds_of_a_unit_may_not_overlap(client, signed_in, personas, survey):
    signed_in(personas["clerk"])
    before = saved()
    response = client.post("/en/staff/u/DG/surveys/open/", {"first_day": "2026.12.01",
                                                            "last_day": "2027.01.31"})
    assert response.status_code == 400
    assert "Round 2026-1 already covers part of this period." in response.content.decode()
    reversed_period = client.post("/en/staff/u/DG/surveys/open/", {
        "first_day": "2027.02.01", "last_day": "2027.01.01"})
    assert reversed_period.status_code == 400
    assert "The last day comes before the first day." in reversed_period.content.decode()
    assert saved() == before


def test_the_year_page_adds_up_its_rounds(client, signed_in, personas, units):
    clerk = personas["clerk"]
    first = open_round(units["DG"], clerk, date(2026, 1, 1), date(2026, 6, 30))
    second = open_round(units["DG"], clerk, date(2026, 7, 1), date(2026, 12, 31))
    tally(first, clerk, 200, got=150, advice=50, website=200)
    tally(second, clerk, 200, got=146, advice=46, crowded=8, website=200)
    signed_in(personas["head"])
    page = client.get("/en/staff/u/DG/surveys/2026/").content.decode()
    assert "2 rounds, 400 answers." in page
    assert "74.0 %" in page and "±4.3 points" in page
    assert client.get("/staff/u/DG/surveys/1999/").status_code == 404


def test_the_parents_head_reads_but_another_units_head_does_not(
    client, signed_in, personas, survey, units
):
    signed_in(personas["national_head"])
    assert client.get("/staff/u/DG/surveys/2026/1/").status_code == 200
    signed_in(make_staff("du_head", units["DU"], Role.HEAD))
    assert client.get("/staff/u/DG/surveys/2026/1/").status_code == 404
    assert client.get("/staff/u/DG/surveys/").status_code == 404


def test_a_round_of_another_unit_is_not_found_under_this_ones_address(
    client, signed_in, personas, survey, units
):
    du_clerk = make_staff("du_clerk", units["DU"], Role.CLERK)
    signed_in(du_clerk)
    assert client.get("/staff/u/DU/surveys/2026/1/").status_code == 404
    before = saved()
    assert client.post("/staff/u/DU/surveys/2026/1/tally/",
                       tally_body(survey, 1, got=1)).status_code == 404
    assert saved() == before
