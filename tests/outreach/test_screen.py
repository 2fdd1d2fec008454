"""The hall screen: public, from approved reports only, small counts hidden, cached, and
changed only by the unit's head."""

from datetime import date

import pytest
from django.core.cache import cache
from django.utils import timezone

from audit.models import AuditEvent
from outreach.models import ScreenSettings
from reporting.models import MonthlyReport, State
from vault.models import DataKey

YEAR = timezone.localdate().year


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    settings.PUBLIC_URL = "https://shugel.example.mn"
    cache.clear()


def report(unit, month, *, received, referred, nil=False, state=State.APPROVED, version=1):
    return MonthlyReport.objects.create(
        unit=unit, period=date(YEAR, month, 1), version=version, state=state,
        reference=f"{unit.code}-{YEAR}-{month:02d}-v{version}",
        data_key=DataKey.objects.create_fresh(),
        figures={"received": {"total": received}, "corruption": {"referred": referred},
                 "nil": nil})


def test_the_screen_is_public_and_says_where_to_report(units, client):
    page = client.get("/screen/DG/").content.decode()
    assert "7052-2200" in page and "110" in page
    assert "https://shugel.example.mn/report/?unit=DG" in page
    assert 'src="/static/js/screen.js"' in page and "<script>" not in page
    svg = client.get("/screen/DG/qr.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert client.get("/screen/NOPE/").status_code == 404


def test_figures_come_from_the_latest_approved_reports_and_small_counts_are_hidden(units,
                                                                                 client):
    dg = units["DG"]
    report(dg, 1, received=12, referred=0, nil=True)
    report(dg, 2, received=3, referred=1, version=1)
    report(dg, 2, received=30, referred=5, version=2)  # the correction replaces version 1
    report(dg, 3, received=500, referred=50, state=State.DRAFT)  # not signed for: not shown
    figures = client.get("/screen/DG/data.json").json()["figures"]
    assert figures == {"year": YEAR, "months": 2, "received": "42", "referred": "5",
                       "nil_months": 1}
    MonthlyReport.objects.filter(state=State.APPROVED).delete()
    report(dg, 1, received=4, referred=1)
    cache.clear()
    small = client.get("/screen/DG/data.json").json()["figures"]
    assert small["received"] == "<5" and small["referred"] == "<5"


def test_a_screen_refreshing_costs_the_database_nothing(units, client,
                                                       django_assert_num_queries):
    client.get("/screen/DG/data.json")
    with django_assert_num_queries(1):  # the unit, by its code in the address
        again = client.get("/screen/DG/data.json")
    assert again.status_code == 200


def test_the_head_chooses_the_slides_and_the_screens_see_it_at_once(
        units, personas, signed_in, client, django_capture_on_commit_callbacks):
    assert client.get("/screen/DG/data.json").json()["slides"] == ["lines", "figures"]
    head = signed_in(personas["head"])
    with django_capture_on_commit_callbacks(execute=True):
        answer = head.post("/staff/u/DG/screen/", {
            "slides": ["campaign", "lines"], "seconds": "20",
            "campaign_text": "Авлигын эсрэг нэгдье!"})
    assert answer.status_code == 302
    data = client.get("/screen/DG/data.json").json()
    assert data["slides"] == ["lines", "campaign"] and data["seconds"] == 20
    assert data["campaign"] == "Авлигын эсрэг нэгдье!"
    event = AuditEvent.objects.get(action="screen.changed")
    assert event.details_dict["slides"] == ["campaign", "lines"]
    assert "Авлиг" not in str(event.details)


@pytest.mark.parametrize("posted, field", [
    ({"slides": ["lines"], "seconds": "2"}, "seconds"),
    ({"slides": ["campaign"], "seconds": "10", "campaign_text": "  "}, "campaign_text"),
    ({"slides": [], "seconds": "10"}, "slides"),
    ({"slides": ["nonsense"], "seconds": "10"}, "slides"),
])
def test_bad_settings_are_refused_and_change_nothing(units, personas, signed_in, posted,
                                                    field):
    head = signed_in(personas["head"])
    answer = head.post("/staff/u/DG/screen/", posted)
    assert answer.status_code == 400 and field in answer.context["form"].errors
    assert not ScreenSettings.objects.exists() and not AuditEvent.objects.filter(
        action="screen.changed").exists()
