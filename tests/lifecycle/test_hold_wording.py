"""The legal hold's day on the case page takes its ablative ("2026.04.01-нээс хойш"), by the
sound of the day's number, not a fixed "-наас"."""

from datetime import date

import pytest
from django.urls import reverse

from tests.lifecycle.test_retention import closed_case, on

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_of_its_own(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("day, mongolian", [
    (date(2026, 4, 1), "2026.04.01-нээс"),
    (date(2026, 4, 6), "2026.04.06-наас"),
    (date(2026, 4, 20), "2026.04.20-ноос"),
])
def test_the_hold_is_dated_in_the_ablative(client, units, personas, signed_in, day, mongolian):
    complaint = closed_case(units, personas)
    signed_in(personas["head"])
    with on(day):
        assert client.post(reverse("lifecycle:legal_hold", args=["DG", complaint.reference]),
                           {"action": "place"}).status_code == 302
        page = client.get(reverse("intake:case", args=["DG", complaint.reference]))
        english = client.get("/en" + reverse("intake:case", args=["DG", complaint.reference]))
    assert mongolian in page.content.decode()
    assert f"On hold since {day:%Y-%m-%d}: nothing" in english.content.decode()
