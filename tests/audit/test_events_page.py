"""The audit trail reads as a person expects: actions in words, objects by their number with
a link only where the reader may follow it, details as labelled values, people by name and
position, the raw record one click away, filters by kind of action and by number."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from audit import vocabulary
from audit.models import AuditEvent
from audit.services import SYSTEM, record
from intake.models import BoxOpening, Channel, Kind
from intake.services import Content, box_opening_record, staff_channel_log
from org.models import Membership, Role
from tests.audit.scenario import working_month
from tests.conftest import make_staff
from tests.shared_data import shared_records

# Every test starts from DG's working month, built once (tests/shared_data.py); the one that
# counts from a short trail is in test_events_page_cap.py.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_records")]

# What developer output looks like: a model label and an id, a Python literal, a dict.
RAW_CODE = re.compile(r"\b[a-z_]+\.[a-z_]+\s+\d+|\bTrue\b|\bFalse\b|\bNone\b|\{'")
TAGS = re.compile(r"<[^>]+>")


def events_url(language="en", unit_code="DG") -> str:
    with translation.override(language):
        return reverse("audit:events", kwargs={"unit_code": unit_code})


def visible_text(html: str) -> str:
    """The page's text outside the folded raw records (which are JSON on purpose)."""
    html = re.sub(r'<details class="raw">.*?</details>', "", html, flags=re.S)
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return TAGS.sub(" ", html)


def _make_month(units, personas) -> dict:
    """DG's working month (tests/audit/scenario.py)."""
    return {"month": working_month(units, personas)}


_records, _built, units, personas, month = shared_records(_make_month, keys=["month"])


def test_every_event_of_a_working_month_has_words(month):
    for event in AuditEvent.objects.all():
        assert vocabulary.action(event.action) is not None, event.action
        assert event.object_type == "" or vocabulary.object_type(event.object_type), event
        for key in event.details_dict:
            assert vocabulary.field_for(event.action, key) is not None, (event.action, key)


@pytest.mark.parametrize("language", ["en", "mn"])
def test_the_page_shows_no_code_no_dict_and_no_login_name(client, signed_in, personas, month,
                                                          language):
    signed_in(personas["auditor"])
    response = client.get(events_url(language))
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert not RAW_CODE.search(text), RAW_CODE.search(text).group(0)
    for code in ("report.approved", "intake.complaint", "routing.referral", "content.read"):
        assert code not in text
    assert "DG-2026-00001" in text and "DG-2026-00001-R1" in text
    # People by the initial of their father's name, their name and their position.
    assert "Т. Clerk, архив, бичиг хэргийн эрхлэгч" in text
    assert "Т. Head, хэлтсийн дарга" in text


def test_actions_details_and_dates_read_in_english_words(client, signed_in, personas, month):
    signed_in(personas["auditor"])
    html = client.get(events_url("en")).content.decode()
    assert "Approved the monthly report" in html
    assert "Decided what the complaint is about" in html
    assert "<dt>Categories</dt>\n  <dd>Bribery</dd>" in html
    assert "<dt>Corruption-related</dt>\n  <dd>Yes</dd>" in html
    assert "<dt>Sent to</dt>\n  <dd>Independent Authority Against Corruption</dd>" in html
    assert "<dt>Now due</dt>\n  <dd>2026-05-25</dd>" in html
    assert '<span class="kind">Monthly report</span>' in html and "October 2026" in html


def test_dates_and_months_are_written_the_mongolian_way(client, signed_in, personas, month):
    signed_in(personas["auditor"])
    html = client.get(events_url("mn")).content.decode()
    assert "2026.11.10 11:00:00" in html  # the time of each event
    assert "<dd>2026.05.25</dd>" in html  # a day in the details
    assert "2026.10" in html  # the report's month
    assert "2026-05-25" not in visible_text(html)


def test_the_auditor_gets_links_only_to_pages_an_auditor_may_open(client, signed_in,
                                                                   personas, month):
    signed_in(personas["auditor"])
    html = client.get(events_url("en")).content.decode()
    links = set(re.findall(r'<span class="object">.*?<a href="([^"]+)"', html, flags=re.S))
    assert links, "the box opening and the report are the auditor's to open"
    assert not any("/c/" in link for link in links), "an auditor does not open cases"
    for link in links:
        assert client.get(link).status_code == 200, link


def test_a_head_who_is_also_auditor_follows_the_case_links(client, signed_in, personas, units,
                                                            month):
    Membership.objects.create(user=personas["head"], unit=units["DG"], role=Role.AUDITOR)
    signed_in(personas["head"])
    html = client.get(events_url("en")).content.decode()
    with translation.override("en"):
        case = reverse("intake:case", kwargs={"unit_code": "DG", "reference": "DG-2026-00001"})
    assert f'<a href="{case}">DG-2026-00001</a>' in html
    assert client.get(case).status_code == 200


def test_no_case_link_for_a_case_the_reader_is_recused_from(client, signed_in, personas,
                                                            units, month):
    from intake.models import Recusal

    Membership.objects.create(user=personas["head"], unit=units["DG"], role=Role.AUDITOR)
    Recusal.objects.create(complaint=month["complaint"], user=personas["head"],
                           reason=Recusal.Reason.NAMED)
    signed_in(personas["head"])
    html = client.get(events_url("en")).content.decode()
    assert "/c/DG-2026-00001/" not in html
    assert "DG-2026-00001" in html


def test_the_raw_record_is_folded_escaped_and_pretty_printed(client, signed_in, personas,
                                                             units, month):
    opening = month["opening"]
    record(actor=personas["clerk"], action="box.slip_discarded", target=opening,
           details={"reason": "<b>хоосон</b> {'x': None}"})
    signed_in(personas["auditor"])
    html = client.get(events_url("en")).content.decode()
    raw = re.findall(r'<details class="raw">\s*<summary>[^<]+</summary>\s*'
                     r'<pre translate="no">(.*?)</pre>', html, flags=re.S)
    assert len(raw) == AuditEvent.objects.filter(unit=units["DG"]).count()
    assert '"action": "box.slip_discarded"' in raw[0].replace("&quot;", '"')
    assert "&lt;b&gt;хоосон&lt;/b&gt;" in raw[0]
    assert "<b>хоосон</b>" not in html
    assert "\n  " in raw[0]  # indented, one key a line


def test_unknown_keys_and_values_still_read_as_words(client, signed_in, personas, units):
    record(actor=SYSTEM, action="clock.reminded", unit=units["DG"],
           details={"new_kind_of_fact": True, "nothing": None, "items": ["a", "b"],
                    "pairs": ["a, b", "c"], "nested": {"inner_count": 3}})
    signed_in(personas["auditor"])
    html = client.get(events_url("en")).content.decode()
    assert "<dt>New kind of fact</dt>\n  <dd>Yes</dd>" in html
    assert "<dt>Nothing</dt>\n  <dd>—</dd>" in html
    assert "<dd>a, b</dd>" in html
    assert "<dd>a, b; c</dd>" in html  # items that hold a comma are kept apart
    assert "<dt>Inner count</dt>\n  <dd>3</dd>" in html
    assert "<em>System</em>" in html


def test_the_page_costs_the_same_queries_for_few_events_and_many(client, signed_in, personas,
                                                                  units, month):
    signed_in(personas["auditor"])
    url = events_url("en")
    client.get(url)  # warm up: sessions, translations
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    # Every kind of event again, four times over, by more people, and new cases and box
    # openings with their own events.
    working_events = list(AuditEvent.objects.filter(unit=units["DG"]).order_by("seq"))
    for number in range(4):
        extra = make_staff(f"clerk{number}", units["DG"], Role.CLERK)
        for event in working_events:
            record(actor=extra, action=event.action, object_type=event.object_type,
                   object_id=event.object_id, unit=units["DG"], details=event.details_dict)
        staff_channel_log(unit=units["DG"], channel=Channel.LETTER, kind=Kind.COMPLAINT,
                          received_at=timezone.now(), content=Content(body="Гомдол."),
                          logged_by=extra)
        box_opening_record(unit=units["DG"], box=BoxOpening.Box.SUGGESTION,
                           opened_at=timezone.now(), opened_by=extra, witness=personas["head"],
                           slip_count=0, recorded_by=extra)
    assert AuditEvent.objects.count() > 50
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [query["sql"][:80] for query in many]


def test_the_action_filter_offers_the_actions_in_words(client, signed_in, personas, month):
    signed_in(personas["auditor"])
    html = client.get(events_url("en")).content.decode()
    assert '<option value="report.approved">Approved the monthly report</option>' in html
    assert '<optgroup label="Monthly reports">' in html
    assert '<option value="report.">All: Monthly reports</option>' in html
    assert "Object type" not in html and "intake.complaint" not in visible_text(html)


@pytest.mark.parametrize(("query", "actions"), [
    ({"action": "report."}, {"report.drafted", "report.prepared", "report.approved"}),
    ({"action": "report.approved"}, {"report.approved"}),
    ({"reference": "DG-T-2026-10"}, {"report.drafted", "report.prepared", "report.approved"}),
    ({"reference": "2026.10"}, {"report.drafted", "report.prepared", "report.approved"}),
    ({"reference": "DG-2026-00001-R1"}, {"referral.prepared", "referral.approved"}),
])
def test_the_auditor_finds_events_by_action_and_by_number(client, signed_in, personas, month,
                                                         query, actions):
    signed_in(personas["auditor"])
    response = client.get(events_url("en"), query)
    assert {event.action for event in response.context["page"].object_list} == actions


def test_a_complaints_number_finds_everything_done_on_it(client, signed_in, personas, month):
    signed_in(personas["auditor"])
    response = client.get(events_url("en"), {"reference": "dg-2026-00001"})
    found = {event.action for event in response.context["page"].object_list}
    assert {"complaint.logged", "complaint.acknowledged", "content.read", "message.from_staff",
            "note.added", "complaint.triaged", "referral.prepared", "referral.approved",
            "complaint.extended", "complaint.closed", "complaint.legal_hold",
            "complaint.legal_hold_released"} <= found
    assert not found & {"report.approved", "box.opened"}


@pytest.mark.parametrize("query", [
    {"action": "complaint.classify"}, {"action": "<script>"}, {"reference": "DG 2026 <x>"},
    {"reference": "ж" * 65}, {"actor": "officer"}, {"actor": "999999"},
    {"date_from": "2026-13-45"},
])
def test_bad_filters_explain_themselves_and_find_nothing(client, signed_in, personas, month,
                                                        query):
    signed_in(personas["auditor"])
    response = client.get(events_url("en"), query)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert list(response.context["page"].object_list) == []
    assert 'class="error" role="alert"' in response.content.decode()
