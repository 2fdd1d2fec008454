"""A unit's queue: its complaints as metadata, filtered, paginated, with the clocks marked,
in a fixed number of queries however many rows a page holds."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from intake.case.services import complaint_acknowledge, complaint_close
from intake.case.worklist import case_assign, case_title_set
from intake.models import Channel, Complaint, Kind, Status
from intake.services import Content, phone_call_log, staff_channel_log, web_report_submit
from org.models import Role
from tests.conftest import make_staff
from tests.intake.pages_case import NOW, UB, keyring_gone
from tests.shared_data import shared_records

# Every test starts from the same cases, built once (tests/shared_data.py); the tests that
# count cases of their own making are in test_queue_paging.py.
pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("_records", "own_files_and_rate_limits",
                                      "on_a_friday_in_march_2026")]

QUEUE = reverse("intake:queue", kwargs={"unit_code": "DG"})
CANARY = "canary-q-5150"


@pytest.fixture
def officer(client, personas, signed_in):
    signed_in(personas["officer"])
    return personas["officer"]


def log(unit, clerk, when, *, channel=Channel.LETTER, kind=Kind.COMPLAINT, body="Гомдол"):
    return staff_channel_log(unit=unit, channel=channel, kind=kind, received_at=when,
                             content=Content(body=body), logged_by=clerk).complaint


def day(month, number, hour=10):
    return datetime(2026, month, number, hour, tzinfo=UB)


def _make_mixed(units, personas) -> dict:
    """Cases of every sort across February and March, and one in another unit."""
    dg, clerk, head = units["DG"], personas["clerk"], personas["head"]
    found = {
        "old_letter": log(dg, clerk, day(2, 2)),  # both clocks long past
        "email": log(dg, clerk, day(3, 2), channel=Channel.EMAIL),
        "suggestion": log(dg, clerk, day(3, 10), channel=Channel.WALK_IN,
                          kind=Kind.SUGGESTION),
        "closed": log(dg, clerk, day(2, 3)),
        "late_night": log(dg, clerk, datetime(2026, 3, 16, 23, 50, tzinfo=UB)),
        "phone": phone_call_log(
            unit=dg, line="7052-2200", started_at=day(3, 17), duration_seconds=240,
            kind=Kind.COMPLAINT, content=Content(body=f"{CANARY} утсаар"),
            summary_confirmed=True, give_receipt=False, logged_by=clerk,
        ).complaint,
        "web": web_report_submit(unit=dg, kind=Kind.COMPLAINT,
                                 content=Content(body=f"{CANARY} вэбээр",
                                                 reporter={"name": CANARY}),
                                 submission_token="q" * 40, language="mn").complaint,
    }
    complaint_acknowledge(complaint=found["email"], by=head)
    complaint_close(complaint=found["closed"], reason="Шийдвэрлэсэн", by=head)
    log(units["DU"], personas["outsider"], day(3, 3))  # another department's
    return {"mixed": {name: Complaint.objects.get(pk=c.pk) for name, c in found.items()}}


_records, _built, units, personas, mixed = shared_records(_make_mixed, keys=["mixed"], at=NOW)


def listed(response) -> list[str]:
    return [row.complaint.reference for row in response.context["rows"]]


def refs(mixed, *names) -> list[str]:
    """References of the named cases, newest first as the queue lists them."""
    chosen = sorted((mixed[name] for name in names), key=lambda c: (c.received_at, c.pk),
                    reverse=True)
    return [c.reference for c in chosen]


def test_the_queue_lists_the_units_complaints_newest_first(client, officer, mixed):
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert listed(response) == refs(mixed, *mixed)
    assert not any(ref.startswith("DU-") for ref in listed(response))


def test_the_queue_shows_reference_channel_kind_dates_status_and_next_deadline(
    client, officer, mixed
):
    with translation.override("en"):
        page = client.get(reverse("intake:queue", kwargs={"unit_code": "DG"})).content.decode()
    email, old = mixed["email"], mixed["old_letter"]
    case = reverse("intake:case", kwargs={"unit_code": "DG", "reference": email.reference})
    assert f'href="{case}"' in page.replace("/en/", "/")
    # The acknowledged email's next deadline is the day to resolve it; the old letter's,
    # never acknowledged, the day to acknowledge it.
    for text in (email.reference, "Email", "Complaint", "Acknowledged", "2026-03-02",
                 email.resolve_due.isoformat(), old.acknowledge_due.isoformat(),
                 "Suggestion or request", "Walk-in", "Phone line", "Closed"):
        assert text in page, text


def test_the_next_deadline_is_the_first_clock_not_yet_met_and_none_once_closed(
    client, officer, mixed
):
    rows = {row.complaint.reference: row for row in client.get(QUEUE).context["rows"]}
    new = rows[mixed["phone"].reference].complaint
    assert (new.next_clock, new.next_due) == ("acknowledge", mixed["phone"].acknowledge_due)
    acknowledged = rows[mixed["email"].reference].complaint
    assert (acknowledged.next_clock, acknowledged.next_due) == ("resolve",
                                                                mixed["email"].resolve_due)
    closed = rows[mixed["closed"].reference].complaint
    assert closed.next_due is None
    assert rows[mixed["old_letter"].reference].next_overdue
    assert not rows[mixed["email"].reference].next_overdue


def test_the_overdue_filter_and_the_overdue_marks_are_one_rule(mixed):
    marked = {c.pk for c in Complaint.objects.with_overdue()
              if c.acknowledge_overdue or c.resolve_overdue}
    assert marked == set(Complaint.objects.overdue().values_list("pk", flat=True))
    assert mixed["old_letter"].pk in marked and mixed["closed"].pk not in marked


def test_overdue_clocks_are_marked_and_closed_cases_are_never_overdue(client, officer,
                                                                      mixed):
    rows = {row.complaint.reference: row for row in client.get(QUEUE).context["rows"]}
    old = rows[mixed["old_letter"].reference]
    assert old.acknowledge_overdue and old.resolve_overdue
    email = rows[mixed["email"].reference]  # acknowledged, resolution not yet due
    assert not email.acknowledge_overdue and not email.resolve_overdue
    closed = rows[mixed["closed"].reference]
    assert not closed.acknowledge_overdue and not closed.resolve_overdue
    with translation.override("en"):
        page = client.get(reverse("intake:queue", kwargs={"unit_code": "DG"})).content
    assert b"overdue" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "closed"}, ["closed"]),
        ({"status": "acknowledged"}, ["email"]),
        ({"status": "new"}, ["old_letter", "suggestion", "late_night", "phone", "web"]),
        ({"status": "open"}, ["old_letter", "email", "suggestion", "late_night", "phone",
                              "web"]),
        ({"channel": "email"}, ["email"]),
        ({"channel": "phone"}, ["phone"]),
        ({"channel": "web"}, ["web"]),
        ({"kind": "suggestion"}, ["suggestion"]),
        # The walk-in of 10 March was due to be acknowledged on the 19th.
        ({"overdue": "on"}, ["old_letter", "suggestion"]),
        ({"received_from": "2026.03.10"}, ["suggestion", "late_night", "phone", "web"]),
        ({"received_to": "2026-03-02"}, ["old_letter", "closed", "email"]),
        ({"received_from": "2026.03.16", "received_to": "2026.03.16"}, ["late_night"]),
        ({"received_from": "2026-02-01", "received_to": "2026.02.28"},
         ["old_letter", "closed"]),
        ({"channel": "letter", "status": "open", "received_to": "2026.03.16"},
         ["old_letter", "late_night"]),
    ],
    ids=lambda value: str(value),
)
def test_each_filter_narrows_the_queue(client, officer, mixed, query, expected):
    response = client.get(QUEUE, query)
    assert response.status_code == 200
    assert listed(response) == refs(mixed, *expected)


def test_days_are_ulaanbaatar_days(client, officer, mixed):
    # 23:50 on 16 March in Ulaanbaatar is 15:50 UTC: still the 16th here.
    response = client.get(QUEUE, {"received_from": "2026.03.16", "received_to": "2026.03.16"})
    assert listed(response) == [mixed["late_night"].reference]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"received_from": "16/03/2026"}, "Write the date as year.month.day"),
        ({"received_from": "2026.02.30"}, "Write the date as year.month.day"),
        ({"received_from": "2026.03.10", "received_to": "2026.03.01"},
         "The first day comes after the last day."),
        ({"status": "lost"}, "Select a valid choice."),
    ],
)
def test_bad_filters_say_what_is_wrong_and_list_nothing(client, officer, mixed, query,
                                                        message):
    with translation.override("en"):
        response = client.get(reverse("intake:queue", kwargs={"unit_code": "DG"}), query)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert listed(response) == []


def test_the_queue_decrypts_nothing(client, officer, mixed, settings, tmp_path):
    with keyring_gone(settings, tmp_path):  # a page that decrypted would fail
        response = client.get(QUEUE)
    assert response.status_code == 200
    assert CANARY not in response.content.decode()
    assert response.context["page"].paginator.count == len(mixed)


def test_the_queue_stays_within_the_unit_in_the_url(client, personas, signed_in, mixed):
    signed_in(personas["outsider"])
    assert client.get(QUEUE).status_code == 404
    own = client.get(reverse("intake:queue", kwargs={"unit_code": "DU"}))
    assert own.status_code == 200 and all(ref.startswith("DU-") for ref in listed(own))


def test_a_closed_case_still_shows_in_the_queue_with_its_state(client, officer, mixed):
    response = client.get(QUEUE, {"status": Status.CLOSED})
    assert [row.complaint.status for row in response.context["rows"]] == [Status.CLOSED]


# --- the worklist: titles, officers, search by reference, whose cases ------------------------

@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("DG-2026-00002", ["email"]),
        ("dg-2026-00002", ["email"]),  # capitals or not
        ("00002", ["email"]),  # the end of the number
        ("  00002 ", ["email"]),
        ("2026-0000", ["old_letter", "email", "suggestion", "closed", "late_night", "phone",
                       "web"]),
        ("DG-2026-00099", []),
    ],
)
def test_a_case_is_found_by_its_reference_number_or_a_part_of_it(client, officer, mixed,
                                                                 typed, expected):
    response = client.get(QUEUE, {"reference": typed})
    assert response.status_code == 200
    assert listed(response) == refs(mixed, *expected)


def test_a_reference_from_another_unit_is_not_found_in_this_one(client, officer, mixed,
                                                               units, personas):
    theirs = Complaint.objects.get(unit=units["DU"]).reference
    assert listed(client.get(QUEUE, {"reference": theirs})) == []


@pytest.mark.parametrize("typed", ["DG 2026", "<script>", "DG-2026-00002'", "ДГ-2026",
                                   "0" * 33])
def test_a_reference_search_that_cannot_be_a_number_says_so_and_lists_nothing(
    client, officer, mixed, typed
):
    with translation.override("en"):
        response = client.get(reverse("intake:queue", kwargs={"unit_code": "DG"}),
                              {"reference": typed})
    assert response.status_code == 200
    assert listed(response) == []
    page = response.content.decode()
    assert ("A reference number has only Latin letters" in page
            or "A reference number is shorter than that." in page)


@pytest.fixture
def worked(mixed, units, personas):
    """Two cases given titles by the clerk and the officer, and assigned."""
    second = make_staff("officer2", units["DG"], Role.OFFICER)
    case_title_set(complaint=mixed["email"], title="Төлбөрийн баримт өгөөгүй",
                   by=personas["clerk"])
    case_title_set(complaint=mixed["phone"], title="Дугаар авахад чирэгдүүлсэн",
                   by=personas["officer"])
    case_assign(complaint=mixed["email"], officer=personas["officer"], by=personas["head"])
    case_assign(complaint=mixed["phone"], officer=second, by=personas["officer"])
    return mixed


def test_the_queue_shows_each_cases_title_and_officer(client, officer, worked):
    page = client.get(QUEUE).content.decode()
    assert "Төлбөрийн баримт өгөөгүй" in page and "Дугаар авахад чирэгдүүлсэн" in page
    rows = {row.complaint.reference: row for row in client.get(QUEUE).context["rows"]}
    assert rows[worked["email"].reference].assignee == "Officer Т."
    assert rows[worked["phone"].reference].assignee == "Officer2 Т."
    assert rows[worked["web"].reference].assignee == ""
    assert rows[worked["web"].reference].complaint.title == ""


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ("mine", ["email"]),
        ("unassigned", ["old_letter", "suggestion", "closed", "late_night", "web"]),
        ("", ["old_letter", "email", "suggestion", "closed", "late_night", "phone", "web"]),
    ],
)
def test_the_officers_own_cases_and_the_unassigned_ones(client, officer, worked, view,
                                                       expected):
    assert listed(client.get(QUEUE, {"view": view})) == refs(worked, *expected)


def test_the_views_combine_with_the_filters_and_the_tabs_keep_them(client, officer, worked):
    response = client.get(QUEUE, {"view": "unassigned", "channel": "letter"})
    assert listed(response) == refs(worked, "old_letter", "closed", "late_night")
    tabs = {tab["value"]: tab for tab in response.context["views"]}
    assert tabs["unassigned"]["current"] and not tabs[""]["current"]
    page = response.content.decode()
    assert "?view=mine&amp;channel=letter" in page  # a tab keeps the filters


def test_a_head_who_is_not_an_officer_has_no_tab_of_their_own(client, personas, signed_in,
                                                             worked):
    signed_in(personas["head"])
    response = client.get(QUEUE)
    assert [tab["value"] for tab in response.context["views"]] == ["", "unassigned"]


def test_an_unknown_view_lists_nothing_and_says_so(client, officer, worked):
    with translation.override("en"):
        response = client.get(reverse("intake:queue", kwargs={"unit_code": "DG"}),
                              {"view": "everyone"})
    assert listed(response) == []
    assert "Select a valid choice." in response.content.decode()


