"""An approved report waiting for its printed letter is listed on the unit's outgoing
letters, where the clerk looks for what to post, and leaves the list once marked sent."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from reporting.models import ReportDelivery
from tests.reporting.pages_reporting import DELIVERY_UID, NOW, ON_MONTH, make_report

pytestmark = pytest.mark.django_db

LETTERS = reverse("routing:letters", args=["DG"])


@pytest.fixture(autouse=True)
def _in_november_2026_in_mongolian(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    with time_machine.travel(NOW, tick=True), translation.override("mn"):
        yield


def test_the_clerk_finds_the_approved_reports_letter_among_the_outgoing_letters(
    client, units, personas, signed_in
):
    make_report(units, personas, "approved")
    signed_in(personas["clerk"])
    html = client.get(LETTERS).content.decode()
    month = reverse("reporting:month", kwargs=ON_MONTH)
    assert 'id="waiting-DG-T-2026-10"' in html
    assert f'href="{month}#letter-{DELIVERY_UID}"' in html

    field = f"letter-{ReportDelivery.objects.get().pk}-letter_number"
    response = client.post(reverse("reporting:letter_sent", kwargs={
        **ON_MONTH, "uid": DELIVERY_UID}), {field: "01/77"})
    assert response.status_code == 302
    assert 'id="waiting-DG-T-2026-10"' not in client.get(LETTERS).content.decode()


def test_an_officer_is_not_shown_the_reports_letters(client, units, personas, signed_in):
    make_report(units, personas, "approved")
    signed_in(personas["officer"])
    response = client.get(LETTERS)
    assert response.status_code == 200
    assert 'id="waiting-DG-T-2026-10"' not in response.content.decode()


def test_the_unit_home_tells_incoming_from_outgoing_letters(client, units, personas,
                                                              signed_in):
    signed_in(personas["clerk"])
    home = client.get("/en" + reverse("org:unit_home", args=["DG"])).content.decode()
    assert "Outgoing letters to post" in home and "Log a letter received" in home
    assert ">Letter<" not in home
