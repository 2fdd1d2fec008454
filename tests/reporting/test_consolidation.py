"""The consolidation: a parent unit sees which of its units filed, filed nil, or are late,
with the totals of them all; and quarterly statistics of a unit and the units below."""

import re
from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from org.models import Role, Unit
from reporting import services
from tests.conftest import make_staff
from tests.reporting.pages_reporting import UB, letter_agency, log_complaint
from tests.routing.helpers import triage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_checkpoint_folder(settings, tmp_path):
    """Drafting a past month signs a checkpoint, whose file lands in DATA_DIR; a folder of
    the test's own keeps it from other tests that verify the chain."""
    settings.DATA_DIR = tmp_path / "data"

OCTOBER = date(2026, 10, 1)
# After 6 November, the due day of October's reports: a report not approved is late.
AFTER_DUE = datetime(2026, 11, 10, 10, 0, tzinfo=UB)


@pytest.fixture(autouse=True)
def _after_the_due_day_in_mongolian():
    with time_machine.travel(AFTER_DUE, tick=True), translation.override("mn"):
        yield


@pytest.fixture
def october(units, personas):
    """DG: a bribery complaint, its report approved. DU: a complaint, its report only
    drafted, so late. SB, a third department: nothing received, its nil report approved.
    UBEG itself: no report at all."""
    letter_agency()
    sb = Unit.objects.create(code="SB", kind=Unit.Kind.DEPARTMENT, parent=units["UBEG"],
                             name_mn="Сүхбаатар аймгийн Улсын бүртгэлийн хэлтэс",
                             name_en="Sukhbaatar Province State Registration Department")
    sb_clerk, sb_head = make_staff("sb_clerk", sb, Role.CLERK), make_staff("sb_head", sb,
                                                                            Role.HEAD)
    du_clerk = make_staff("du_clerk", units["DU"], Role.CLERK)

    bribery = log_complaint(units["DG"], personas["clerk"], body="Хахууль авсан.")
    triage(bribery, personas["officer"])
    log_complaint(units["DU"], du_clerk,
                  received=datetime(2026, 10, 9, 11, tzinfo=UB))

    def filed(unit, clerk, head):
        report, _created = services.report_draft(unit=unit, period=OCTOBER, by=clerk)
        report = services.report_prepare(report=report, by=clerk)
        return services.report_approve(report=report, by=head)

    return {
        "DG": filed(units["DG"], personas["clerk"], personas["head"]),
        "SB": filed(sb, sb_clerk, sb_head),
        "DU": services.report_draft(unit=units["DU"], period=OCTOBER, by=du_clerk)[0],
        "bribery": bribery,
    }


def consolidated(client, unit="UBEG", month="2026-10"):
    return client.get(reverse("reporting:consolidated", args=[unit, month]))


def _row(html: str, code: str) -> str:
    return re.search(rf'<tr id="unit-{code}"(.*?)</tr>', html, re.S).group(1)


def test_the_national_head_sees_who_filed_who_filed_nil_and_who_is_late(
    client, units, personas, signed_in, october
):
    signed_in(personas["national_head"])
    response = consolidated(client)
    assert response.status_code == 200
    html = response.content.decode()
    dg, du, sb, ubeg = (_row(html, code) for code in ("DG", "DU", "SB", "UBEG"))
    assert 'data-status="filed"' in dg and "DG-T-2026-10" in dg and "overdue" not in dg
    assert 'data-status="filed"' in sb and "SB-T-2026-10" in sb
    assert 'data-status="draft"' in du and 'class="overdue"' in du
    assert 'data-status="missing"' in ubeg and 'class="overdue"' in ubeg
    # Nil or not, as each report states it.
    assert re.search(r"<td[^>]*>—</td>", ubeg)
    with translation.override("en"):
        english = consolidated(client).content.decode()
    assert "none (nil report)" in _row(english, "SB")
    assert "none (nil report)" not in _row(english, "DG")
    # The drill-down into each unit's month.
    assert f'href="{reverse("reporting:month", args=["DG", "2026-10"])}"' in dg
    assert client.get(reverse("reporting:month", args=["DG", "2026-10"])).status_code == 200


def test_the_totals_are_those_of_every_unit_below(client, units, personas, signed_in,
                                                  october):
    signed_in(personas["national_head"])
    html = consolidated(client).content.decode()
    # Received: DG 1, DU 1, SB 0; corruption-related: DG's one.
    last_two = r"<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>\s*</tr>"
    assert re.findall(last_two, _row(html, "DG") + "</tr>")[-1] == ("1", "1")
    assert re.findall(last_two, _row(html, "DU") + "</tr>")[-1] == ("1", "0")
    channel = html[html.index("<caption>"):]
    total = re.search(r"<tfoot><tr><th[^>]*>[^<]*</th><td>(\d+)</td>", channel).group(1)
    assert total == "2"
    assert 'id="nil-statement"' not in html
    assert october["bribery"].reference in html[html.index('id="corruption-list"'):]
    # Counted once each: 2 filed, 1 draft, 1 missing, 2 late, 1 nil.
    summary = html[html.index('<ul class="counts">'):html.index("</ul>",
                                                             html.index('<ul class="counts">'))]
    assert re.findall(r'<span class="badge">(\d+)</span>', summary) == [
        "2", "0", "0", "1", "1", "1", "2"]


def test_a_department_head_cannot_open_the_national_consolidation(client, personas,
                                                                  signed_in, october):
    signed_in(personas["head"])
    assert consolidated(client).status_code == 404
    assert consolidated(client, unit="DU").status_code == 404
    # Their own unit's: just their unit.
    response = consolidated(client, unit="DG")
    assert response.status_code == 200
    assert 'id="unit-DG"' in response.content.decode()
    assert 'id="unit-DU"' not in response.content.decode()


def test_the_dg_auditor_sees_dg_but_not_the_units_beside_it(client, personas, signed_in,
                                                             october):
    signed_in(personas["auditor"])
    assert consolidated(client, unit="DG").status_code == 200
    assert consolidated(client, unit="DU").status_code == 404


def test_a_unit_with_units_below_links_to_their_consolidation(client, personas, signed_in,
                                                              units):
    signed_in(personas["national_head"])
    index = client.get(reverse("reporting:index", args=["UBEG"])).content.decode()
    assert reverse("reporting:consolidated", args=["UBEG", "2026-10"]) in index
    dg = client.get(reverse("reporting:index", args=["DG"])).content.decode()
    assert reverse("reporting:consolidated", args=["DG", "2026-10"]) not in dg


def test_quarterly_statistics_count_the_unit_and_every_unit_below(client, personas,
                                                                  signed_in, october):
    signed_in(personas["national_head"])
    response = client.get(reverse("reporting:quarter", args=["UBEG", "2026-Q4"]))
    assert response.status_code == 200
    html = response.content.decode()
    total = re.search(r"<tfoot><tr><th[^>]*>[^<]*</th><td>(\d+)</td>", html).group(1)
    assert total == "2"
    assert october["bribery"].reference in html
    assert "2026.10.01" in html and "2026.12.31" in html
    assert 'id="checkpoint"' not in html  # statistics carry no audit checkpoint
    # The third quarter had nothing.
    quiet = client.get(reverse("reporting:quarter", args=["UBEG", "2026-Q3"])).content.decode()
    assert 'id="nil-statement"' in quiet
    # DG's own quarter has only DG's complaint.
    dg = client.get(reverse("reporting:quarter", args=["DG", "2026-Q4"])).content.decode()
    assert re.search(r"<tfoot><tr><th[^>]*>[^<]*</th><td>(\d+)</td>", dg).group(1) == "1"
