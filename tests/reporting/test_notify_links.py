"""A notification about a monthly report leads to that report: for the unit's own clerk and
head, and for the parent unit's head who is told of an approval below."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from notify.events import emit
from notify.models import Kind, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mongolian_first():
    with translation.override(settings.LANGUAGE_CODE):
        yield


def test_a_report_notification_links_to_the_report(client, units, personas, signed_in):
    emit(Kind.REPORT_APPROVED, unit=units["DG"], also_units=(units["UBEG"],),
         subject={"report": 7, "month": "2026-10", "report_reference": "DG-T-2026-10",
                  "state": "approved"})
    page = reverse("reporting:month", kwargs={"unit_code": "DG", "month": "2026-10"})
    for person in ("clerk", "head", "national_head"):
        assert Notification.objects.filter(recipient=personas[person]).exists()
        signed_in(personas[person])
        html = client.get(reverse("notify:centre")).content.decode()
        assert f'href="{page}"' in html, person
        assert "DG-T-2026-10" in html
        assert client.get(page).status_code == 200, person


def test_a_malformed_month_makes_no_link(client, units, personas, signed_in):
    emit(Kind.REPORT_DRAFTED, unit=units["DG"],
         subject={"report": 7, "month": "2026-13x", "state": "draft"})
    signed_in(personas["clerk"])
    response = client.get(reverse("notify:centre"))
    assert response.status_code == 200
    assert "/reports/2026-13x/" not in response.content.decode()
