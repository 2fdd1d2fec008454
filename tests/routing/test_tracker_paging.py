"""The tracker's length: a page costs the same queries for 3 referrals as for a full page
or more than the cap, it pages by 50 and keeps the filters. These tests make the referrals
they count, on a database of their own (test_tracker.py shares one world)."""

import pytest

from routing.models import ReferralState
from routing.tracker.views import TRACKER_PER_PAGE
from tests.conftest import get_counted
from tests.routing.pages_tracker import (
    add_referrals,
    day,
    listed,
    make_agencies,
    make_referral,
    tracker,
    tracker_csv,
)

pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("own_files_and_rate_limits", "on_a_friday_in_march_2026")]

S = ReferralState


@pytest.fixture
def agencies(db):
    return make_agencies()


@pytest.fixture
def head(client, personas, signed_in):
    signed_in(personas["head"])
    return personas["head"]


def test_a_page_takes_as_many_queries_for_3_referrals_as_for_a_full_page(
    client, personas, signed_in, units, agencies, django_assert_max_num_queries
):
    first = make_referral(units["DG"], personas["clerk"], personas["officer"],
                          agencies["atg"], received=day(3, 2))
    add_referrals(first, 2)
    signed_in(personas["national_head"])

    def queries(url, query=None):
        return get_counted(client, url, query)[0]

    few = [queries(tracker("UBEG")), queries(tracker("UBEG"), {"overdue": "on"}),
           queries(tracker_csv("UBEG"))]
    add_referrals(first, 3 * TRACKER_PER_PAGE, "B")
    with django_assert_max_num_queries(16):
        response = client.get(tracker("UBEG"), {"page": 2})
    assert len(response.context["rows"]) == TRACKER_PER_PAGE
    many = [queries(tracker("UBEG")), queries(tracker("UBEG"), {"overdue": "on"}),
            queries(tracker_csv("UBEG"))]
    assert many == few, "each row of the tracker costs queries"


def test_the_tracker_pages_by_50_and_keeps_the_filters(client, head, units, personas,
                                                       agencies):
    first = make_referral(units["DG"], personas["clerk"], personas["officer"],
                          agencies["atg"], received=day(3, 2))
    add_referrals(first, 60)
    response = client.get(tracker(), {"state": S.DELIVERED})
    assert response.context["page"].paginator.count == 20
    everything = client.get(tracker())
    assert len(everything.context["rows"]) == TRACKER_PER_PAGE
    assert everything.context["page"].paginator.count == 61
    assert "page=2" in everything.content.decode()
    second = client.get(tracker(), {"page": 2})
    assert len(second.context["rows"]) == 11
    assert not set(listed(everything)) & set(listed(second))
    assert client.get(tracker(), {"page": "99"}).context["page"].number == 2
    assert client.get(tracker(), {"page": "x"}).context["page"].number == 1
    kept = client.get(tracker(), {"state": S.PREPARED, "overdue": "on"}).content.decode()
    assert f"{tracker_csv()}?state=prepared&amp;overdue=on" in kept


def test_a_tracker_longer_than_the_cap_says_over_and_costs_the_same_queries(
    client, head, units, personas, agencies, monkeypatch
):
    """Counting stops at the cap (core.paging): the counts by state, the overdue count, the
    total and the list say "over 10" past it, and the page costs what a short one does."""
    monkeypatch.setattr("core.paging.CAP", 10)
    first = make_referral(units["DG"], personas["clerk"], personas["officer"],
                          agencies["atg"], received=day(3, 2))

    def page(query=None):
        return get_counted(client, tracker(language="en"), query)

    few = [page()[0], page({"overdue": "on"})[0]]
    add_referrals(first, 36)  # 12 in each of three states
    many = [page()[0], page({"overdue": "on"})[0]]
    assert many == few, "the tracker's queries grow with its length"
    response = page()[1]
    counts = {entry["state"]: (entry["count"], entry["more"])
              for entry in response.context["by_state"]}
    assert counts[S.DELIVERED] == (10, True) and counts[S.CONCLUDED] == (0, False)
    assert response.context["total_more"] and response.context["overdue_more"]
    assert response.context["page"].paginator.capped
    assert len(response.context["rows"]) == 10
    text = response.content.decode()
    assert "Over 10 referrals found: the newest 10 are listed." in text
    assert 'id="overdue-count">over 10<' in text


def test_a_list_the_summary_has_counted_is_not_counted_again(client, head, units, personas,
                                                             agencies):
    """A state alone or "overdue" alone is one of the summary's rows: the list's length is
    that row's count, with no query of its own; any other filter is counted for itself."""
    first = make_referral(units["DG"], personas["clerk"], personas["officer"],
                          agencies["atg"], received=day(3, 2))
    add_referrals(first, 5)
    plain, everything = get_counted(client, tracker())
    by_state = {row["state"]: row["count"] for row in everything.context["by_state"]}
    for alone, summarised in (({"state": S.DELIVERED}, by_state[S.DELIVERED]),
                              ({"overdue": "on"}, everything.context["overdue_count"]),
                              ({"page": "1"}, everything.context["total"])):
        queries, response = get_counted(client, tracker(), alone)
        assert queries == plain, alone
        assert response.context["page"].paginator.count == summarised == len(
            listed(response)), alone
    together, response = get_counted(client, tracker(), {"state": S.DELIVERED, "overdue": "on"})
    assert together == plain + 1
    assert response.context["page"].paginator.count == len(listed(response))
