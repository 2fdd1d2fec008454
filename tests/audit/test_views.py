"""The auditor's pages: browsing and filtering events, and running verification."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent
from audit.services import ANONYMOUS_REPORTER, SYSTEM, record, record_read
from org.models import Membership, Unit
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db

ULAANBAATAR = ZoneInfo("Asia/Ulaanbaatar")
EVENTS = reverse("audit:events", kwargs={"unit_code": "DG"})
VERIFY = reverse("audit:verify", kwargs={"unit_code": "DG"})


@pytest.fixture
def subunit(units):
    return Unit.objects.create(code="DGZU", kind=Unit.Kind.SUBUNIT, parent=units["DG"],
                               name_mn="Замын-Үүд", name_en="Zamiin-Uud")


@pytest.fixture
def history(personas, units, subunit):
    """Events over three local days, in DG, its sub-unit, another department and no unit."""
    membership = Membership.objects.get(user=personas["clerk"])

    def at(day, hour):
        return time_machine.travel(datetime(2026, 3, day, hour, tzinfo=ULAANBAATAR), tick=False)

    with at(2, 9):
        record(actor=personas["officer"], action="complaint.triaged", unit=units["DG"],
               object_type="intake.complaint", object_id="17",
               details={"complaint": "DG-2026-00017", "corruption": True, "replaces": None})
    with at(3, 0):  # just after midnight in Ulaanbaatar: still the 2nd in UTC
        record_read(actor=personas["officer"], target=membership, fields=["body"])
    with at(3, 15):
        record(actor=ANONYMOUS_REPORTER, action="complaint.logged", unit=subunit,
               object_type="intake.complaint", object_id="18",
               details={"reference": "DGZU-2026-00018"})
    with at(4, 10):
        record(actor=personas["head"], action="referral.approved", unit=units["DG"],
               object_type="routing.referral", object_id="3",
               details={"referral": "DG-2026-00017-R1"})
        record(actor=personas["outsider"], action="complaint.triaged", unit=units["DU"])
        record(actor=SYSTEM, action="clock.escalated")


def listed(response) -> list[str]:
    return [event.action for event in response.context["page"].object_list]


def test_an_auditor_sees_the_units_events_and_those_below_it_newest_first(
    client, signed_in, personas, history
):
    signed_in(personas["auditor"])
    response = client.get(EVENTS)
    assert response.status_code == 200
    assert listed(response) == [
        "referral.approved", "complaint.logged", "content.read", "complaint.triaged",
    ]
    assert "DU" not in {event.unit.code for event in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"unit": "DGZU"}, ["complaint.logged"]),
        ({"actor": "officer"}, ["content.read", "complaint.triaged"]),
        ({"actor_kind": "anonymous"}, ["complaint.logged"]),
        ({"action": "complaint."}, ["complaint.logged", "complaint.triaged"]),
        ({"action": "content.read"}, ["content.read"]),
        ({"action": "complaint.triaged"}, ["complaint.triaged"]),
        ({"reference": "DG-2026-00017"}, ["complaint.triaged"]),
        ({"reference": "dg-2026-00017-r1"}, ["referral.approved"]),
        ({"reference": "DG-2026-00099"}, []),
        ({"date_from": "2026.03.03"}, ["referral.approved", "complaint.logged", "content.read"]),
        ({"date_to": "2026/03/02"}, ["complaint.triaged"]),
        ({"date_from": "2026-03-03", "date_to": "2026-03-03"},
         ["complaint.logged", "content.read"]),
        ({"actor": "officer", "date_from": "2026-03-03"}, ["content.read"]),
    ],
)
def test_the_auditor_filters_events(client, signed_in, personas, history, subunit, query,
                                    expected):
    if "unit" in query:
        query = {**query, "unit": str(Unit.objects.get(code=query["unit"]).pk)}
    if "actor" in query:
        query = {**query, "actor": str(personas[query["actor"]].pk)}
    signed_in(personas["auditor"])
    response = client.get(EVENTS, query)
    assert response.status_code == 200
    assert listed(response) == expected


def test_a_unit_outside_the_auditors_scope_cannot_be_chosen(client, signed_in, personas,
                                                             history, units):
    signed_in(personas["auditor"])
    response = client.get(EVENTS, {"unit": units["DU"].pk})
    assert response.context["form"].errors["unit"]
    assert listed(response) == []


def test_an_impossible_date_range_explains_itself(client, signed_in, personas, history):
    signed_in(personas["auditor"])
    response = client.get(EVENTS, {"date_from": "2026-03-04", "date_to": "2026-03-02"})
    assert response.context["form"].non_field_errors()
    assert listed(response) == []


def test_events_are_shown_fifty_to_a_page_and_filters_survive_paging(
    client, signed_in, personas, units
):
    for number in range(55):
        record(actor=SYSTEM, action="clock.reminded", unit=units["DG"], details={"n": number})
    record(actor=SYSTEM, action="clock.escalated", unit=units["DG"])
    signed_in(personas["auditor"])
    first = client.get(EVENTS, {"action": "clock.reminded"})
    assert len(listed(first)) == 50
    assert 'href="?action=clock.reminded&amp;page=2"' in first.content.decode()
    second = client.get(EVENTS, {"action": "clock.reminded", "page": 2})
    assert len(listed(second)) == 5
    assert [e.details_dict["n"] for e in second.context["page"].object_list] == [4, 3, 2, 1, 0]


def test_the_page_shows_what_happened(client, signed_in, personas, history):
    signed_in(personas["auditor"])
    with translation.override("en"):
        english = reverse("audit:events", kwargs={"unit_code": "DG"})
    page = client.get(english).content.decode()
    assert "Approved the referral and sent it" in page
    assert "<dt>Corruption-related</dt>\n  <dd>Yes</dd>" in page
    assert "2026-03-04 10:00:00" in page  # local time
    assert 'datetime="2026-03-04T02:00:00.000000Z"' in page


def test_browsing_changes_nothing(client, signed_in, personas, history):
    signed_in(personas["auditor"])
    before = AuditEvent.objects.count()
    client.get(EVENTS)
    client.get(VERIFY)
    assert AuditEvent.objects.count() == before


def test_the_verification_button_reports_an_intact_trail(client, signed_in, personas, history):
    signed_in(personas["auditor"])
    response = client.post(VERIFY, follow=True)
    assert response.redirect_chain == [(VERIFY, 302)]
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    run = AuditEvent.objects.order_by("-seq").first()
    assert (run.action, run.actor_label, run.unit.code) == ("audit.verify", "auditor", "DG")
    assert run.details_dict == {"ok": True, "checked": 6, "checkpoints": 0,
                                "first_bad_seq": None, "damage": None}
    assert response.context["runs"][0]["ok"] is True


def test_the_verification_button_reports_damage_with_its_sequence_number(
    client, signed_in, personas, history
):
    from tests.audit.conftest import Tamperer

    Tamperer().set(2, action="content.glance")
    signed_in(personas["auditor"])
    with translation.override("en"):
        english = reverse("audit:verify", kwargs={"unit_code": "DG"})
    response = client.post(english, follow=True)
    messages = list(response.context["messages"])
    assert [m.level_tag for m in messages] == ["error"]
    assert "First bad sequence number: 2 (edited)" in str(messages[0])
    assert response.context["runs"][0]["first_bad_seq"] == 2


@pytest.mark.parametrize("persona", ["clerk", "officer", "head", "admin"])
def test_other_roles_cannot_see_events_or_run_verification(client, signed_in, personas,
                                                           history, persona):
    signed_in(personas[persona])
    before = AuditEvent.objects.count()
    assert client.get(EVENTS).status_code == 403
    assert client.post(VERIFY).status_code == 403
    assert AuditEvent.objects.count() == before


def test_an_auditor_of_another_unit_cannot_see_this_ones_trail(client, signed_in, units,
                                                                 history):
    other_auditor = make_staff("du_auditor", units["DU"], "auditor")
    signed_in(other_auditor)
    assert client.get(EVENTS).status_code == 404
    assert client.post(VERIFY).status_code == 404
    response = client.get(reverse("audit:events", kwargs={"unit_code": "DU"}))
    assert listed(response) == ["complaint.triaged"]


def test_the_events_page_takes_no_posts(client, signed_in, personas):
    signed_in(personas["auditor"])
    assert client.post(EVENTS).status_code == 405


def test_auditors_find_the_trail_from_their_unit_page(client, signed_in, personas):
    unit_home = reverse("org:unit_home", kwargs={"unit_code": "DG"})
    signed_in(personas["auditor"])
    assert f'href="{EVENTS}"' in client.get(unit_home).content.decode()
    client.logout()
    signed_in(personas["clerk"])
    assert f'href="{EVENTS}"' not in client.get(unit_home).content.decode()
