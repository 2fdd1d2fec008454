"""The agency a report goes to is named in the dative inside a Mongolian sentence
("Авлигатай тэмцэх газарт ..."), never as "... газар руу" or with a glued ending; an English
page reads the English name as before."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from tests.reporting.pages_reporting import NOW, ON_DELIVERY, ON_MONTH, make_report
from tests.routing.test_cover_letter import GLUED

pytestmark = pytest.mark.django_db

DATIVE = "Авлигатай тэмцэх газарт"
ENGLISH = "Independent Authority Against Corruption"


@pytest.fixture(autouse=True)
def _in_november_2026(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    with time_machine.travel(NOW, tick=True):
        yield


def url(name, language="mn", **kwargs):
    with translation.override(language):
        return reverse(f"reporting:{name}", kwargs={**ON_MONTH, **kwargs})


def test_the_letter_to_send_names_the_agency_in_the_dative(client, units, personas, signed_in):
    report = make_report(units, personas, "approved")
    signed_in(personas["clerk"])
    html = client.get(url("month")).content.decode()
    assert DATIVE in html and "газар руу" not in html and not GLUED.search(html)
    delivery = report.deliveries.get()
    response = client.post(url("letter_sent", uid=delivery.uid),
                           {f"letter-{delivery.pk}-letter_number": "01/77"}, follow=True)
    assert DATIVE in response.content.decode()


def test_the_retry_names_the_agency_in_the_dative(client, units, personas, signed_in):
    make_report(units, personas, "dead")
    signed_in(personas["head"])
    assert DATIVE in client.get(url("month")).content.decode()
    response = client.post(url("retry", uid=ON_DELIVERY["uid"]), follow=True)
    assert DATIVE in response.content.decode()


def test_english_pages_name_the_agency_as_before(client, units, personas, signed_in):
    report = make_report(units, personas, "approved")
    signed_in(personas["clerk"])
    html = client.get(url("month", "en")).content.decode()
    assert f"Mark the letter to {ENGLISH} as sent" in html
    delivery = report.deliveries.get()
    response = client.post(url("letter_sent", "en", uid=delivery.uid),
                           {f"letter-{delivery.pk}-letter_number": "01/77"}, follow=True)
    assert f"The letter to {ENGLISH} was marked as sent." in response.content.decode()
