"""The head's referral tracker: who may open it, which referrals it lists (the unit's and
those of the units below it, never one the reader is recused from), the deadline each waits
on and whether it has passed, the filters, the counts, the CSV export, and that neither the
page nor the file holds anything sealed or costs a query per row."""

import csv
import io
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from intake.models import Recusal
from routing.models import ReferralState, TriageDecision
from routing.tracker.views import LABELS
from tests.intake.pages_case import NOW, keyring_gone
from tests.org.test_access import PERSONAS, expected_status
from tests.routing.pages_tracker import (
    CANARY,
    PAGES,
    day,
    listed,
    make_agencies,
    make_referral,
    tracker,
    tracker_csv,
)
from tests.shared_data import shared_records

# Every test starts from the same referrals, built once (tests/shared_data.py); the tests
# that need a tracker of their own making are in test_tracker_paging.py.
pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("_records", "own_files_and_rate_limits",
                                      "on_a_friday_in_march_2026")]

S = ReferralState
TODAY = NOW.date()


def _make_tracked(units, personas) -> dict:
    """Referrals of DG in every state, one of DU (a sibling department), and the agencies
    they went to."""
    dg, clerk, officer = units["DG"], personas["clerk"], personas["officer"]
    agencies = make_agencies()

    def make(*, agency="atg", **fields):
        return make_referral(dg, clerk, officer, agencies[agency], **fields)

    found = {
        "late_prepared": make(received=day(3, 2)),
        "fresh_prepared": make(received=day(3, 18), agency="police"),
        "approved": make(received=day(3, 16), state=S.APPROVED, approved_at=day(3, 17)),
        "letter": make(received=day(3, 17), agency="police", state=S.AWAITING_LETTER,
                       approved_at=day(3, 18)),
        "delivered_late": make(received=day(3, 3), state=S.DELIVERED, approved_at=day(3, 4),
                               acknowledge_expected_by=date(2026, 3, 11)),
        "delivered_waiting": make(received=day(3, 5), state=S.DELIVERED,
                                  approved_at=day(3, 6),
                                  acknowledge_expected_by=date(2026, 3, 27)),
        "acknowledged": make(received=day(3, 6), state=S.ACKNOWLEDGED, approved_at=day(3, 9),
                             agency_reference='=HYPERLINK("http://evil.example","x")'),
        "acknowledged_late": make(received=day(1, 5), state=S.ACKNOWLEDGED,
                                  approved_at=day(1, 7), agency_reference="АТГ-2026/3"),
        "failed": make(received=day(3, 10), state=S.FAILED, approved_at=day(3, 11)),
        "returned": make(received=day(3, 11), state=S.RETURNED),
        "concluded": make(received=day(2, 2), state=S.CONCLUDED, approved_at=day(2, 3),
                          agency_reference="@SUM(1)"),
    }
    found["sibling"] = make_referral(units["DU"], personas["outsider"], personas["outsider"],
                                     agencies["atg"], received=day(3, 12))
    return {"agencies": agencies, "tracked": found}


_records, _built, units, personas, agencies, tracked = shared_records(
    _make_tracked, keys=["agencies", "tracked"], at=NOW)


DG_NAMES = ("late_prepared", "fresh_prepared", "approved", "letter", "delivered_late",
            "delivered_waiting", "acknowledged", "acknowledged_late", "failed", "returned",
            "concluded")
OVERDUE = {"late_prepared", "delivered_late", "acknowledged_late", "failed"}


@pytest.fixture
def head(client, personas, signed_in):
    signed_in(personas["head"])
    return personas["head"]


def refs(tracked, *names) -> list[str]:
    """References of the named referrals, newest first as the tracker lists them."""
    chosen = sorted((tracked[name] for name in names), key=lambda r: (r.prepared_at, r.pk),
                    reverse=True)
    return [r.reference for r in chosen]


def refer_due(referral) -> date:
    return TriageDecision.objects.get(complaint=referral.complaint, current=True).refer_due


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.streaming
    data = b"".join(response.streaming_content)
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


# --- who may open it ---------------------------------------------------------------------------

@pytest.fixture
def one(tracked):
    """A single DG referral, for tests about who may look rather than what they see."""
    return tracked["late_prepared"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page[0])
def test_tracker_urls_refuse_the_wrong_role_and_the_wrong_unit(
    client, personas, signed_in, one, persona, page
):
    name, kwargs, allowed = page
    signed_in(personas[persona])
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code in expected_status(persona, allowed), (persona, name)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page[0])
def test_tracker_urls_send_anonymous_visitors_to_sign_in(client, units, page):
    response = client.get(reverse(page[0], kwargs=page[1]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:login"))


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page[0])
def test_tracker_urls_require_the_second_factor(client, personas, page):
    client.force_login(personas["head"])  # password only
    response = client.get(reverse(page[0], kwargs=page[1]))
    assert response.status_code == 302
    assert response["Location"] == reverse("org:two_factor_setup")


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_tracker_only_reads(client, head, one, method):
    assert getattr(client, method)(tracker()).status_code == 405
    assert getattr(client, method)(tracker_csv()).status_code == 405


def test_officers_and_heads_find_the_tracker_in_the_units_navigation(client, personas,
                                                                       signed_in, units):
    home = reverse("org:unit_home", kwargs={"unit_code": "DG"})
    for persona, shown in (("head", True), ("officer", True), ("clerk", False),
                           ("auditor", False)):
        client.logout()
        signed_in(personas[persona])
        assert (f'href="{tracker()}"' in client.get(home).content.decode()) is shown, persona


# --- what it lists ------------------------------------------------------------------------------

def test_the_tracker_lists_the_units_referrals_newest_first(client, head, tracked):
    response = client.get(tracker())
    assert response.status_code == 200
    assert listed(response) == refs(tracked, *DG_NAMES)
    assert tracked["sibling"].reference not in response.content.decode()


def test_each_state_waits_on_its_own_deadline(client, head, tracked):
    rows = {row.referral.reference: row for row in client.get(tracker()).context["rows"]}

    def row(name):
        return rows[tracked[name].reference]

    for name in ("late_prepared", "fresh_prepared", "approved", "letter"):
        assert row(name).next_due == refer_due(tracked[name]), name
    assert row("delivered_late").next_due == date(2026, 3, 11)
    assert row("delivered_waiting").next_due == date(2026, 3, 27)
    for name in ("acknowledged", "acknowledged_late"):
        assert row(name).next_due == tracked[name].complaint.resolve_due, name
    for name in ("failed", "returned", "concluded"):
        assert row(name).next_due is None, name
    assert {name for name in DG_NAMES if row(name).overdue} == OVERDUE


def test_the_deadlines_themselves_are_what_make_a_referral_overdue(tracked):
    # The fixture is only a test if its dates fall on the right side of today.
    assert refer_due(tracked["late_prepared"]) < TODAY < refer_due(tracked["fresh_prepared"])
    assert TODAY < refer_due(tracked["approved"])
    assert tracked["acknowledged_late"].complaint.resolve_due < TODAY
    assert TODAY < tracked["acknowledged"].complaint.resolve_due


def test_a_referral_becomes_overdue_the_day_after_its_deadline(client, personas, signed_in,
                                                               tracked):
    waiting = tracked["delivered_waiting"]  # acknowledgement expected 27 March
    for moment, overdue in ((NOW + timedelta(days=7), False), (NOW + timedelta(days=8), True)):
        with time_machine.travel(moment, tick=False):
            signed_in(personas["head"])  # a session does not last a week
            rows = {row.referral.pk: row for row in client.get(tracker()).context["rows"]}
            assert rows[waiting.pk].overdue is overdue, moment


def test_age_counts_from_approval_or_else_from_preparation(client, head, tracked):
    rows = {row.referral.reference: row for row in client.get(tracker()).context["rows"]}
    assert rows[tracked["approved"].reference].age_days == 3  # approved 17 March
    assert rows[tracked["late_prepared"].reference].age_days == 18  # prepared 2 March
    assert rows[tracked["returned"].reference].age_days == 9  # prepared 11 March


def test_the_page_shows_the_columns_with_mongolian_dates(client, head, tracked):
    page = client.get(tracker()).content.decode()
    delivered = tracked["delivered_late"]
    case = reverse("intake:case", kwargs={"unit_code": "DG",
                                          "reference": delivered.complaint.reference})
    assert f'<a href="{case}">{delivered.complaint.reference}</a>' in page
    assert "2026.03.11" in page and "2026.03.03" in page  # deadline, prepared: Y.m.d
    assert "Авлигатай тэмцэх газар" in page and "Цагдаагийн газар" in page
    assert "АТГ-2026/3" in page
    assert str(S.FAILED.label) in page
    with translation.override("mn"):
        assert translation.gettext("overdue") in page
    assert "<caption" in page and 'scope="col"' in page


def test_a_failed_delivery_is_shown_as_needing_attention(client, head, tracked):
    response = client.get(tracker(language="en"), {"state": S.FAILED})
    assert listed(response) == [tracked["failed"].reference]
    assert "needs attention" in response.content.decode()


def test_counts_by_state_and_overdue_cover_the_whole_unit(client, head, tracked):
    response = client.get(tracker(), {"state": S.CONCLUDED})  # a filter does not change them
    counts = {entry["state"]: entry["count"] for entry in response.context["by_state"]}
    assert counts == {S.PREPARED: 2, S.RETURNED: 1, S.APPROVED: 1, S.AWAITING_LETTER: 1,
                      S.DELIVERED: 2, S.FAILED: 1, S.ACKNOWLEDGED: 2, S.CONCLUDED: 1}
    assert response.context["overdue_count"] == len(OVERDUE)
    assert response.context["total"] == len(DG_NAMES)
    assert 'id="overdue-count">4<' in response.content.decode()


# --- filters -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "expected"), [
    ({"state": S.DELIVERED}, ("delivered_late", "delivered_waiting")),
    ({"state": S.PREPARED}, ("late_prepared", "fresh_prepared")),
    ({"agency": "police"}, ("fresh_prepared", "letter")),
    ({"overdue": "on"}, tuple(OVERDUE)),
    ({"overdue": "on", "state": S.DELIVERED}, ("delivered_late",)),
    ({"prepared_from": "2026.03.10", "prepared_to": "2026.03.16"},
     ("failed", "returned", "approved")),
    ({"prepared_from": "2026-03-17"}, ("letter", "fresh_prepared")),
    ({"prepared_to": "2026.02.28"}, ("acknowledged_late", "concluded")),
    ({"page": "1"}, DG_NAMES),
])
def test_each_filter_narrows_the_tracker(client, head, tracked, query, expected):
    response = client.get(tracker(), query)
    assert response.status_code == 200
    assert listed(response) == refs(tracked, *expected)
    assert response.context["page"].paginator.count == len(expected)


@pytest.mark.parametrize("query", [
    {"state": "lost"},
    {"agency": "nobody"},
    {"prepared_from": "2026.13.40"},
    {"prepared_to": "yesterday"},
    {"prepared_from": "2026.03.10", "prepared_to": "2026.03.01"},
    {"page": "1", "state": "<script>"},
])
def test_an_invalid_filter_says_why_and_lists_nothing(client, head, one, query):
    response = client.get(tracker(language="en"), query)
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert response.context["form"].errors
    assert 'role="alert"' in response.content.decode()
    assert "<script>" not in response.content.decode()
    exported = client.get(tracker_csv(language="en"), query)
    assert exported.status_code == 400
    assert not exported.streaming
    assert 'role="alert"' in exported.content.decode()


def test_the_tracker_escapes_what_the_agency_and_the_staff_wrote(client, head, tracked):
    """The agency's reference comes from the agency's API and its name from the
    administrator: on the page each is text, never markup (routing/tracker/rows.py writes
    the rows without the template language's escaping)."""
    referral = tracked["acknowledged"]
    type(referral).objects.filter(pk=referral.pk).update(
        agency_reference='"><script>alert(1)</script>')
    type(referral.agency).objects.filter(pk=referral.agency_id).update(
        name_mn="<b>Хулгай & Co</b>", name_en="<b>Theft & Co</b>")
    html = client.get(tracker()).content.decode()
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Хулгай &amp; Co&lt;/b&gt;" in html
    assert "<script>alert" not in html and "<b>Хулгай" not in html


def test_a_filter_that_finds_nothing_says_so(client, head, tracked):
    """An empty list is not a blank space: the page says none was found, in Mongolian."""
    page = client.get(tracker(), {"state": S.RETURNED, "overdue": "on"})
    assert page.context["rows"] == []
    with translation.override("mn"):
        found = translation.ngettext("%(counter)s referral found.",
                                     "%(counter)s referrals found.", 0) % {"counter": 0}
    assert f'<p class="count" role="status">{found}</p>' in page.content.decode()


def test_an_invalid_filter_is_explained_in_mongolian(client, head, one):
    page = client.get(tracker(), {"prepared_from": "2026.03.10", "prepared_to": "2026.03.01"})
    with translation.override("mn"):
        assert translation.gettext("The first day comes after the last day.") in (
            page.content.decode())


# --- units above and below -------------------------------------------------------------------

def test_the_parent_units_head_tracks_every_department_below(client, personas, signed_in,
                                                             tracked):
    signed_in(personas["national_head"])
    response = client.get(tracker("UBEG"))
    assert response.status_code == 200
    assert listed(response) == refs(tracked, *DG_NAMES, "sibling")
    assert response.context["with_units"]
    page = response.content.decode()
    # The unit's own cell, named on a phone by its column (data-label).
    assert f'<td data-label="{LABELS["unit"]}">{tracked["sibling"].unit.code}</td>' in page
    # The case pages are the departments' own: not linked from the parent's tracker.
    assert "/c/" not in page
    narrowed = client.get(tracker("UBEG"), {"unit": "DU"})
    assert listed(narrowed) == [tracked["sibling"].reference]
    counts = {entry["state"]: entry["count"] for entry in response.context["by_state"]}
    assert counts[S.PREPARED] == 3


def test_a_department_sees_nothing_of_its_sibling(client, personas, signed_in, tracked):
    signed_in(personas["outsider"])  # an officer of DU
    assert client.get(tracker("DG")).status_code == 404
    assert client.get(tracker_csv("DG")).status_code == 404
    own = client.get(tracker("DU"))
    assert listed(own) == [tracked["sibling"].reference]
    assert not own.context["with_units"]
    assert "unit" not in own.context["form"].fields
    # Asking for another department's unit by code changes nothing.
    assert listed(client.get(tracker("DU"), {"unit": "DG"})) == listed(own)
    rows = csv_rows(client.get(tracker_csv("DU"), {"unit": "DG"}))
    assert [row[0] for row in rows[1:]] == [tracked["sibling"].reference]


def test_the_parent_cannot_be_asked_for_a_unit_outside_its_tree(client, personas, signed_in,
                                                                 tracked, units):
    from org.models import Unit

    Unit.objects.create(code="XX", kind=Unit.Kind.NATIONAL, name_mn="Өөр", name_en="Other")
    signed_in(personas["national_head"])
    response = client.get(tracker("UBEG", language="en"), {"unit": "XX"})
    assert response.context["rows"] == [] and "unit" in response.context["form"].errors


# --- recusal ----------------------------------------------------------------------------------

def test_recused_staff_neither_see_nor_count_nor_export_the_referral(
    client, personas, signed_in, tracked
):
    hidden = tracked["delivered_late"]
    Recusal.objects.create(complaint=hidden.complaint, user=personas["head"])
    signed_in(personas["head"])
    response = client.get(tracker())
    assert hidden.reference not in listed(response)
    assert hidden.reference not in response.content.decode()
    assert response.context["total"] == len(DG_NAMES) - 1
    assert response.context["overdue_count"] == len(OVERDUE) - 1
    assert client.get(tracker(), {"state": S.DELIVERED}).context["page"].paginator.count == 1
    exported = b"".join(client.get(tracker_csv()).streaming_content).decode()
    assert hidden.reference not in exported
    assert hidden.complaint.reference not in exported

    client.logout()
    signed_in(personas["officer"])  # not recused: still sees it
    assert hidden.reference in listed(client.get(tracker()))


def test_a_recusal_reaches_the_parent_units_tracker_too(client, personas, signed_in, tracked):
    hidden = tracked["sibling"]
    Recusal.objects.create(complaint=hidden.complaint, user=personas["national_head"])
    signed_in(personas["national_head"])
    assert hidden.reference not in listed(client.get(tracker("UBEG")))
    exported = b"".join(client.get(tracker_csv("UBEG")).streaming_content).decode()
    assert hidden.reference not in exported


# --- the CSV export ----------------------------------------------------------------------------

def test_the_csv_holds_the_same_rows_with_a_mongolian_header(client, head, tracked):
    response = client.get(tracker_csv())
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="referrals-DG-2026-03-20.csv"')
    assert "no-store" in response["Cache-Control"]
    header, *rows = csv_rows(response)
    with translation.override("mn"):
        assert header == [str(LABELS[name]) for name in (
            "reference", "complaint", "unit", "agency", "state", "prepared_at", "age",
            "next_due", "overdue", "agency_reference")]
        assert header[1:3] == ["Гомдол", "Нэгж"]
        state_label = str(S.DELIVERED.label)
    assert [row[0] for row in rows] == refs(tracked, *DG_NAMES)
    late = next(row for row in rows if row[0] == tracked["delivered_late"].reference)
    assert late[1:5] == [tracked["delivered_late"].complaint.reference, "DG",
                         "Авлигатай тэмцэх газар", state_label]
    assert late[5:8] == ["2026-03-03", "16", "2026-03-11"]
    assert late[8] != "" and late[9] == ""
    waiting = next(row for row in rows if row[0] == tracked["delivered_waiting"].reference)
    assert waiting[8] == ""


def test_the_csv_follows_the_filters_and_the_language(client, head, tracked):
    header, *rows = csv_rows(client.get(tracker_csv(language="en"), {"overdue": "on"}))
    assert header[:3] == ["Referral number", "Complaint", "Unit"]
    assert [row[0] for row in rows] == refs(tracked, *OVERDUE)
    assert {row[8] for row in rows} == {"yes"}


def test_the_csv_neutralises_cells_a_spreadsheet_would_run(client, head, tracked):
    rows = csv_rows(client.get(tracker_csv()))[1:]
    by_reference = {row[0]: row for row in rows}
    assert by_reference[tracked["acknowledged"].reference][9] == (
        '\'=HYPERLINK("http://evil.example","x")')
    assert by_reference[tracked["concluded"].reference][9] == "'@SUM(1)"
    assert by_reference[tracked["acknowledged_late"].reference][9] == "АТГ-2026/3"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


# --- nothing sealed, and no query per row --------------------------------------------------------

def test_neither_page_nor_csv_holds_anything_sealed(client, personas, signed_in, tracked,
                                                   settings, tmp_path):
    for persona, unit in (("head", "DG"), ("officer", "DG"), ("national_head", "UBEG")):
        client.logout()
        signed_in(personas[persona])
        # A page that decrypted anything would fail with the keyring gone.
        with keyring_gone(settings, tmp_path):
            page = client.get(tracker(unit)).content.decode()
            exported = b"".join(client.get(tracker_csv(unit)).streaming_content).decode()
        assert CANARY not in page and CANARY not in exported, persona
        assert "•••" not in page and "•••" not in exported


def test_the_tracker_does_not_fetch_sealed_columns(client, head, tracked,
                                                   django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(tracker())
        b"".join(client.get(tracker_csv()).streaming_content)
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    for column in ("cover_letter", "redactions", '"body"', "reporter", "api_secret",
                   '"reason"', "particulars"):
        assert column not in sql, column


def test_under_asgi_the_csv_streams_from_an_async_iterator(client, head, tracked):
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient

    asynchronous = AsyncClient()
    asynchronous.cookies = client.cookies  # the head's session

    async def download():
        response = await asynchronous.get(tracker_csv())
        assert response.is_async
        return response, b"".join([chunk async for chunk in response.streaming_content])

    response, data = async_to_sync(download)()
    assert response.status_code == 200
    synchronous = b"".join(client.get(tracker_csv()).streaming_content)
    assert data == synchronous and CANARY.encode() not in data
