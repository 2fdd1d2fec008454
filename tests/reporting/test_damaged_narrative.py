"""A monthly report whose explanation was altered: its page still opens, approving it changes
nothing and says why instead of answering 500, and the damage is recorded once
(intake.damage)."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent
from intake.damage import DAMAGED_ACTION
from reporting import services
from reporting.models import State
from tests.conftest import sign_in
from tests.intake.test_tamper import flip_a_byte
from tests.reporting.pages_reporting import NOW, ON_MONTH, make_report
from vault.errors import DecryptionError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_november_2026(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    with time_machine.travel(NOW, tick=True), translation.override("mn"):
        yield


def url(name):
    return reverse(f"reporting:{name}", kwargs=ON_MONTH)


def test_approving_a_report_whose_explanation_was_altered_is_refused_and_recorded_once(
    client, units, personas
):
    report = make_report(units, personas, "draft")
    report = services.report_narrative_save(report=report, by=personas["clerk"],
                                     narrative="Хугацаанд нь шийдвэрлэв.")
    report = services.report_prepare(report=report, by=personas["clerk"])
    flip_a_byte(report, "narrative")
    sign_in(client, personas["head"])
    assert client.get(url("month")).status_code == 200
    for _attempt in range(2):
        response = client.post(url("approve"), {"version": str(report.version)})
        assert response.status_code == 409
        assert str(DecryptionError.message) in response.content.decode()
    report.refresh_from_db()
    assert report.state == State.PREPARED
    (event,) = AuditEvent.objects.filter(action=DAMAGED_ACTION)
    assert (event.object_type, event.details_dict["fields"]) == ("reporting.monthlyreport",
                                                                  ["narrative"])
