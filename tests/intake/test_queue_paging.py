"""The queue's length: it pages by 25 and keeps the filters, a page costs the same queries
for 5 cases as for 60 and past the cap. These tests count cases of their own making, on a
database of their own (test_queue.py shares one set of cases)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.models import Channel
from tests.conftest import get_counted
from tests.intake.test_queue import QUEUE, day, listed, log

pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("own_files_and_rate_limits", "on_a_friday_in_march_2026")]


@pytest.fixture
def officer(client, personas, signed_in):
    signed_in(personas["officer"])
    return personas["officer"]


def test_the_queue_is_paginated_by_25_and_keeps_the_filters(client, officer, units,
                                                           personas):
    start = day(1, 5)
    for number in range(30):
        log(units["DG"], personas["clerk"], start + timedelta(hours=number),
            channel=Channel.LETTER)
    log(units["DG"], personas["clerk"], day(3, 1), channel=Channel.EMAIL)
    first = client.get(QUEUE, {"channel": "letter"})
    assert len(first.context["rows"]) == 25 and first.context["page"].paginator.count == 30
    assert "channel=letter&amp;page=2" in first.content.decode()
    second = client.get(QUEUE, {"channel": "letter", "page": 2})
    assert len(second.context["rows"]) == 5
    assert not set(listed(first)) & set(listed(second))
    assert client.get(QUEUE, {"channel": "letter", "page": 99}).context["page"].number == 2


def test_a_page_of_the_queue_takes_as_many_queries_for_5_complaints_as_for_60(
    client, officer, units, personas
):
    def queries_for_page():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(QUEUE)
        assert response.status_code == 200
        return len(captured), len(response.context["rows"])

    for number in range(5):
        log(units["DG"], personas["clerk"], day(2, 2) + timedelta(hours=number))
    few, rows_few = queries_for_page()
    for number in range(55):
        log(units["DG"], personas["clerk"], day(2, 9) + timedelta(hours=number))
    many, rows_many = queries_for_page()
    assert (rows_few, rows_many) == (5, 25)
    assert many == few, "each row of the queue costs queries"


def test_a_queue_longer_than_the_cap_says_so_pages_within_it_and_costs_the_same_queries(
    client, officer, units, personas, monkeypatch
):
    """Counting stops at the cap (core.paging): 12 cases under a cap of 10 read as "over
    10", two pages of the newest 10, in as many queries as a queue under the cap."""
    monkeypatch.setattr("core.paging.CAP", 10)
    monkeypatch.setattr("intake.case.views.QUEUE_PER_PAGE", 5)

    def queries(query=None):
        return get_counted(client, QUEUE, query)

    for number in range(4):
        log(units["DG"], personas["clerk"], day(3, 2) + timedelta(hours=number))
    few, short = queries()
    assert not short.context["page"].paginator.capped
    for number in range(8):
        log(units["DG"], personas["clerk"], day(3, 9) + timedelta(hours=number))
    many, long = queries()
    assert many == few, "the queue's queries grow with its length"
    assert long.context["page"].paginator.capped
    text = client.get(QUEUE).content.decode()
    assert "10-аас дээш гомдол олдлоо: хамгийн сүүлийн 10-ыг жагсаав." in text
    assert "Эхний 2 хуудасны 1" in text
    last = queries({"page": 9})[1]
    assert last.context["page"].number == 2 and len(last.context["rows"]) == 5
    assert not last.context["page"].has_next()
