"""The audit trail's page past the cap (core.paging): it says so, lists the newest, and costs
the queries of a short trail. It counts from a trail of its own making, on a database of its
own (test_events_page.py shares one working month)."""

import pytest

from audit.services import record
from tests.audit.test_events_page import events_url
from tests.conftest import get_counted

pytestmark = pytest.mark.django_db


def test_a_trail_longer_than_the_cap_says_so_and_costs_the_same_queries(
    client, signed_in, personas, units, monkeypatch
):
    monkeypatch.setattr("core.paging.CAP", 10)
    signed_in(personas["auditor"])
    url = events_url("en")

    def page(query=None):
        return get_counted(client, url, query)

    for number in range(3):
        record(actor=personas["clerk"], action="complaint.titled", unit=units["DG"],
               details={"reference": f"DG-2026-{number:05d}", "length": 4})
    page()  # warm up: sessions, translations
    few, short = page()
    assert not short.context["page"].paginator.capped
    for number in range(20):
        record(actor=personas["clerk"], action="complaint.titled", unit=units["DG"],
               details={"reference": f"DG-2026-1{number:04d}", "length": 4})
    many, long = page()
    assert many == few
    assert long.context["page"].paginator.capped
    assert "Over 10 events found: the newest 10 are listed." in long.content.decode()
    assert len(long.context["shown"]) == 10
