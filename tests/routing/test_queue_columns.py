"""What routing adds to intake's queue: each case's current categories and whether it is
corruption-related, from its current triage decision; and the queue as a worklist (titles,
officers, categories, deadlines) in a fixed number of queries, decrypting nothing."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent
from intake.case.worklist import case_assign, case_title_set
from intake.classification import Classification, classify
from intake.models import Channel, Kind
from intake.services import Content, staff_channel_log
from routing.case.queue import current_triage
from tests.intake.pages_case import UB
from tests.routing.helpers import triage
from vault.models import DataKey

pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("own_files_and_rate_limits", "on_a_friday_in_march_2026")]

QUEUE = reverse("intake:queue", kwargs={"unit_code": "DG"})
CANARY = "canary-cols-2718"


def log(units, personas, number: int):
    when = datetime(2026, 2, 2, 9, tzinfo=UB) + timedelta(hours=number)
    return staff_channel_log(unit=units["DG"], channel=Channel.LETTER, kind=Kind.COMPLAINT,
                             received_at=when, content=Content(body=f"{CANARY} {number}"),
                             logged_by=personas["clerk"]).complaint


def worked_cases(units, personas, count: int, start: int = 0):
    """`count` cases, each titled, assigned, and triaged (every other one as bribery, the
    rest as red tape and service quality)."""
    made = []
    for number in range(start, start + count):
        complaint = log(units, personas, number)
        case_title_set(complaint=complaint, title=f"Гарчиг {number}", by=personas["clerk"])
        case_assign(complaint=complaint, officer=personas["officer"], by=personas["head"])
        triage(complaint, personas["officer"],
               ("bribery",) if number % 2 else ("red_tape", "service_quality"))
        made.append(complaint)
    return made


def test_routing_tells_the_queue_each_cases_current_categories(units, personas):
    first, second, untouched = (log(units, personas, n) for n in range(3))
    triage(first, personas["officer"], ("red_tape",))
    triage(first, personas["officer"], ("bribery", "abuse_of_office"))  # replaces the first
    triage(second, personas["officer"], ("service_quality", "red_tape"), corruption=False)
    with translation.override("en"):
        found = classify([first, second, untouched])
    assert found == {
        first.pk: Classification(("Bribery", "Abuse of office"), True),
        second.pk: Classification(("Red tape", "Service quality"), False),
    }
    with translation.override("mn"):
        assert current_triage([first])[first.pk].categories == (
            "Хээл хахууль", "Албан тушаалын байдлаа урвуулан ашиглах")


def test_an_empty_page_asks_routing_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert classify([]) == {}


def test_the_queue_shows_categories_the_corruption_flag_and_who_has_the_case(
    client, personas, signed_in, units
):
    worked_cases(units, personas, 2, start=1)  # 1 is bribery, 2 red tape
    untouched = log(units, personas, 9)
    signed_in(personas["officer"])
    with translation.override("en"):
        response = client.get(reverse("intake:queue", kwargs={"unit_code": "DG"}))
    rows = {row.complaint.reference: row for row in response.context["rows"]}
    assert rows[untouched.reference].classification is None
    page = response.content.decode()
    assert "Not triaged yet" in page and "Corruption-related" in page
    assert "Red tape, Service quality" in page and "Bribery" in page
    assert page.count('class="corruption"') == 1
    assert "Гарчиг 1" in page and "Гарчиг 2" in page and "Officer Т." in page
    assert CANARY not in page


@pytest.mark.parametrize("language", ["mn", "en"])
def test_the_queue_takes_as_many_queries_for_3_worked_cases_as_for_30_and_decrypts_nothing(
    client, personas, signed_in, units, monkeypatch, language
):
    signed_in(personas["officer"])
    unwrapped = []
    real_unwrap = DataKey.unwrap

    def counting_unwrap(data_key):
        unwrapped.append(data_key.pk)
        return real_unwrap(data_key)

    def page_queries(expected_rows):
        monkeypatch.setattr(DataKey, "unwrap", counting_unwrap)
        reads = AuditEvent.objects.filter(action="content.read").count()
        with translation.override(language):
            url = reverse("intake:queue", kwargs={"unit_code": "DG"})
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {"view": "mine"})
        monkeypatch.setattr(DataKey, "unwrap", real_unwrap)
        assert response.status_code == 200
        assert len(response.context["rows"]) == expected_rows
        assert all(row.classification for row in response.context["rows"])
        assert AuditEvent.objects.filter(action="content.read").count() == reads
        assert CANARY not in response.content.decode()
        return len(captured)

    worked_cases(units, personas, 3)
    few = page_queries(3)
    worked_cases(units, personas, 27, start=3)
    many = page_queries(25)  # a full page of the 30
    assert many == few, "each row of the queue costs queries"
    assert unwrapped == [], "the queue unwrapped a data key"
