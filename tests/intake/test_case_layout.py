"""The case page by task: each panel of intake.panels says when the case's state calls for it,
so the page opens with those and folds the rest; a fold that holds a refused form opens."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from intake.case.services import complaint_acknowledge, complaint_close
from tests.intake.pages_case import CASE, NOW, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_march_2026():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def complaint(units, personas, client, signed_in):
    signed_in(personas["officer"])
    return make_case(units, personas)


def titles(response, which: str) -> list[str]:
    """The panels' titles, in English for the test to read."""
    with translation.override("en"):
        return [str(panel.title) for panel in response.context[which]]


def test_a_new_case_asks_first_to_be_acknowledged_and_triaged(client, complaint):
    response = client.get(reverse("intake:case", kwargs=CASE))
    assert titles(response, "primary_panels") == ["Acknowledge to the reporter",
                                                  "Triage and referrals"]
    assert titles(response, "folded_panels") == [
        "Reply to the reporter", "Internal note", "Amendment",
        "Extend the resolution deadline", "Close the case", "Retention and legal hold"]
    page = response.content.decode()
    assert page.index('id="next"') < page.index('class="fold"')
    assert "<details class=\"fold\" open>" not in page


def test_an_acknowledged_case_asks_for_a_reply(client, complaint, personas):
    complaint_acknowledge(complaint=complaint, by=personas["officer"])
    response = client.get(reverse("intake:case", kwargs=CASE))
    assert titles(response, "primary_panels") == ["Triage and referrals",
                                                  "Reply to the reporter"]


def test_a_closed_case_keeps_only_its_retention_in_view(client, complaint, personas):
    complaint_close(complaint=complaint, reason="Шийдвэрлэсэн.", by=personas["officer"])
    response = client.get(reverse("intake:case", kwargs=CASE))
    assert titles(response, "primary_panels") == ["Retention and legal hold"]
    assert "Reply to the reporter" not in titles(response, "folded_panels")


def test_a_refused_note_opens_its_own_fold_and_no_other(client, complaint):
    response = client.post(reverse("intake:case_note", kwargs=CASE), {"note-body": ""})
    assert response.status_code == 400
    opened = [panel for panel in response.context["folded_panels"] if panel.error]
    with translation.override("en"):
        assert [str(panel.title) for panel in opened] == ["Internal note"]
    assert response.content.decode().count("<details class=\"fold\" open>") == 1
