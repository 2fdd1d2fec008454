"""The monthly reports' pages: who may open and do what, the whole life of a report through
the pages, what a report page says, and the downloads."""

import re
from datetime import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from intake.models import BoxOpening
from intake.services import box_opening_record
from outbox.models import Outbox
from reporting.models import MonthlyReport, State
from tests.conftest import sign_in
from tests.org.test_access import PERSONAS
from tests.reporting.pages_reporting import (
    MONTH,
    NEEDS,
    NOW,
    OCTOBER,
    ON_DELIVERY,
    ON_MONTH,
    PAGES,
    UB,
    expected_status,
    letter_agency,
    log_complaint,
    make_report,
    method_of,
    post_data,
    snapshot,
)
from tests.routing.helpers import triage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_checkpoint_folder(settings, tmp_path):
    """Drafting a past month signs a checkpoint, whose file lands in DATA_DIR; a folder of
    the test's own keeps it from other tests that verify the chain."""
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture(autouse=True)
def _in_november_2026_in_mongolian():
    # URLs are reversed in Mongolian (no prefix) whatever an earlier request left active.
    with time_machine.travel(NOW, tick=True), translation.override("mn"):
        yield


def url(name, **kwargs):
    return reverse(f"reporting:{name}", kwargs={**ON_MONTH, **kwargs})


def page(client, **query) -> str:
    response = client.get(url("month"), query)
    assert response.status_code == 200
    return response.content.decode()


def current() -> MonthlyReport:
    return MonthlyReport.objects.filter(unit__code="DG", period=OCTOBER).order_by(
        "-version").first()


# --- who may open and do what --------------------------------------------------------------------

@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("entry", PAGES, ids=lambda entry: entry[0])
def test_report_urls_refuse_the_wrong_role_and_the_wrong_unit(
    client, units, personas, signed_in, persona, entry
):
    name, kwargs, allowed = entry[:3]
    make_report(units, personas, NEEDS.get(name, "approved"))
    signed_in(personas[persona])
    before = snapshot()
    if method_of(entry) == "post":
        response = client.post(reverse(name, kwargs=kwargs), post_data(name))
    else:
        response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code in expected_status(persona, allowed, method_of(entry)), (
        persona, name, response.status_code)
    if persona not in allowed:
        assert snapshot() == before


@pytest.mark.parametrize("entry", PAGES, ids=lambda entry: entry[0])
def test_report_urls_send_anonymous_visitors_to_sign_in(client, units, entry):
    name, kwargs = entry[:2]
    response = getattr(client, method_of(entry))(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:login"))


@pytest.mark.parametrize("entry", PAGES, ids=lambda entry: entry[0])
def test_report_urls_require_the_second_factor(client, personas, entry):
    client.force_login(personas["head"])  # password only
    name, kwargs = entry[:2]
    response = getattr(client, method_of(entry))(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"] == reverse("org:two_factor_setup")


@pytest.mark.parametrize("entry", PAGES, ids=lambda entry: entry[0])
def test_pages_only_read_and_actions_only_post(client, personas, signed_in, entry):
    signed_in(personas["head"])
    name, kwargs = entry[:2]
    wrong = "get" if method_of(entry) == "post" else "post"
    assert getattr(client, wrong)(reverse(name, kwargs=kwargs)).status_code == 405


def test_actions_need_the_csrf_token(units, personas):
    make_report(units, personas, "draft")
    client = sign_in(Client(enforce_csrf_checks=True), personas["clerk"])
    before = snapshot()
    assert client.post(url("prepare"), {"version": "1"}).status_code == 403
    assert snapshot() == before


def test_someone_of_another_unit_finds_no_reports_there(client, units, personas, signed_in):
    signed_in(personas["outsider"])  # DU's officer
    assert client.get(url("month")).status_code == 404
    assert client.get(reverse("reporting:index", args=["DG"])).status_code == 404
    assert client.get(reverse("reporting:index", args=["ZZ"])).status_code == 404


def test_the_dg_head_cannot_read_the_national_units_reports(client, units, personas,
                                                            signed_in):
    signed_in(personas["head"])
    assert client.get(reverse("reporting:index", args=["UBEG"])).status_code == 404
    assert client.get(url("month", unit_code="UBEG")).status_code == 404


def test_the_unit_navigation_links_to_the_reports(client, personas, signed_in):
    signed_in(personas["officer"])
    home = client.get(reverse("org:unit_home", args=["DG"])).content.decode()
    assert f'href="{reverse("reporting:index", args=["DG"])}"' in home


# --- the life of a report through the pages ----------------------------------------------

def test_clerk_drafts_writes_and_prepares_then_the_head_approves_and_the_clerk_corrects(
    client, units, personas, signed_in
):
    log_complaint(units["DG"], personas["clerk"])
    letter_agency()
    clerk, head = personas["clerk"], personas["head"]

    signed_in(clerk)
    assert "not-drafted" in page(client)
    response = client.post(reverse("reporting:draft", args=["DG"]), {"month": MONTH})
    assert response.status_code == 302 and response["Location"] == url("month")
    html = page(client)
    assert "DG-T-2026-10" in html and 'id="narrative-form"' in html
    assert 'id="approve-form"' not in html  # the clerk does not approve

    response = client.post(url("narrative"), {"narrative-version": "1",
                                              "narrative-narrative": "Сард нэг гомдол ирсэн."})
    assert response.status_code == 302
    assert "Сард нэг гомдол ирсэн." in page(client)
    assert client.post(url("prepare"), {"version": "1"}).status_code == 302
    assert current().state == State.PREPARED and current().prepared_by == clerk

    # The clerk cannot approve, whatever they post.
    before = snapshot()
    assert client.post(url("approve"), {"version": "1"}).status_code == 403
    assert snapshot() == before

    client.logout()
    signed_in(head)
    html = page(client)
    assert 'id="approve-form"' in html and 'id="send-back-form"' in html
    assert 'id="approve-why"' not in html
    response = client.post(url("approve"), {"version": "1"})
    assert response.status_code == 302
    report = current()
    assert report.state == State.APPROVED and report.approved_by == head
    assert len(report.document_sha256) == 64

    # Approved: no explanation form, and posting one changes nothing.
    html = page(client)
    assert 'id="narrative-form"' not in html and 'id="prepare-form"' not in html
    assert "Сард нэг гомдол ирсэн." in html and report.document_sha256 in html
    before = snapshot()
    response = client.post(url("narrative"), {"narrative-version": "1",
                                              "narrative-narrative": "Өөрчилсөн."})
    assert response.status_code == 409
    assert 'id="refusal"' in response.content.decode()
    assert snapshot() == before
    assert current().narrative.reveal() == "Сард нэг гомдол ирсэн."

    client.logout()
    signed_in(clerk)
    assert 'id="correct-form"' in page(client)
    response = client.post(url("correct"), {"correct-version": "1",
                                            "correct-reason": "Ангилал буруу."})
    assert response.status_code == 302
    corrected = current()
    assert corrected.version == 2 and corrected.supersedes == report
    html = page(client)
    versions = html[html.index('id="version-list"'):]
    assert "DG-T-2026-10-v2" in versions and "DG-T-2026-10<" in versions.replace(
        "</td>", "<")
    assert report.document_sha256 in versions
    # The first version is still there to read, as it was approved.
    first = page(client, version=1)
    assert "DG-T-2026-10-v2" in first and 'class="warning"' in first
    assert 'id="correct-form"' not in first and 'id="narrative-form"' not in first


def test_the_head_who_prepared_the_report_cannot_approve_it_and_is_told_why(
    client, units, personas, signed_in
):
    make_report(units, personas, None)
    head = personas["head"]
    signed_in(head)
    client.post(reverse("reporting:draft", args=["DG"]), {"month": MONTH})
    assert client.post(url("prepare"), {"version": "1"}).status_code == 302
    html = page(client)
    assert re.search(r'<button type="submit" disabled aria-describedby="approve-why">', html)
    assert 'id="approve-why"' in html
    before = snapshot()
    response = client.post(url("approve"), {"version": "1"})
    assert response.status_code == 409
    assert snapshot() == before and current().state == State.PREPARED


def test_the_head_sees_why_a_draft_cannot_be_approved_yet(client, units, personas,
                                                          signed_in):
    make_report(units, personas, "draft")
    signed_in(personas["head"])
    html = page(client)
    assert 'aria-describedby="approve-why"' in html
    before = snapshot()
    assert client.post(url("approve"), {"version": "1"}).status_code == 409
    assert snapshot() == before


def test_the_head_sends_a_prepared_report_back_with_a_reason(client, units, personas,
                                                             signed_in):
    make_report(units, personas, "prepared")
    signed_in(personas["head"])
    before = snapshot()
    response = client.post(url("send_back"), {"send_back-version": "1",
                                              "send_back-reason": ""})
    assert response.status_code == 400 and snapshot() == before
    assert 'id="send-back-form"' in response.content.decode()
    response = client.post(url("send_back"), {"send_back-version": "1",
                                              "send_back-reason": "Тайлбар дутуу."})
    assert response.status_code == 302 and current().state == State.DRAFT


def test_an_action_on_a_version_the_person_did_not_see_is_refused(client, units, personas,
                                                                   signed_in):
    make_report(units, personas, "approved")
    signed_in(personas["clerk"])
    client.post(url("correct"), {"correct-version": "1", "correct-reason": "Алдаа."})
    before = snapshot()
    # Prepared from a page that still showed version 1.
    response = client.post(url("prepare"), {"version": "1"})
    assert response.status_code == 409 and snapshot() == before
    assert client.post(url("prepare"), {"version": "2"}).status_code == 302


def test_preparing_twice_is_refused_with_the_reason(client, units, personas, signed_in):
    make_report(units, personas, "prepared")
    signed_in(personas["clerk"])
    before = snapshot()
    response = client.post(url("prepare"), {"version": "1"})
    assert response.status_code == 409 and snapshot() == before
    assert 'id="refusal"' in response.content.decode()


def test_a_month_is_drafted_once_and_never_in_the_future(client, units, personas, signed_in):
    signed_in(personas["clerk"])
    draft = reverse("reporting:draft", args=["DG"])
    for bad in ("2026-12", "2026.12", "2026-13", "10/2026", "октябрь", ""):
        response = client.post(draft, {"month": bad})
        assert response.status_code == 400, bad
    assert not MonthlyReport.objects.exists()
    assert client.post(draft, {"month": MONTH}).status_code == 302
    assert client.post(draft, {"month": MONTH.replace("-", ".")}).status_code == 302
    assert MonthlyReport.objects.count() == 1


def test_malformed_months_and_missing_versions_are_not_found(client, units, personas,
                                                             signed_in):
    make_report(units, personas, "draft")
    signed_in(personas["clerk"])
    for month in ("2026-1", "2026-13", "26-10", "2026-10-01", "9999-12", "quarter"):
        response = client.get(f"/staff/u/DG/reports/{month}/")
        assert response.status_code == 404, month
    assert client.get(url("month"), {"version": "7"}).status_code == 404
    assert client.get(url("month"), {"version": "x"}).status_code == 404
    assert client.get("/staff/u/DG/reports/quarter/2026-Q5/").status_code == 404
    assert client.get("/staff/u/DG/reports/quarter/2026-5/").status_code == 404


def test_the_clerk_marks_the_posted_letter_sent(client, units, personas, signed_in):
    report = make_report(units, personas, "approved")
    delivery = report.deliveries.get()
    signed_in(personas["clerk"])
    html = page(client)
    assert f'id="delivery-{delivery.uid}"' in html and "letter_number" in html
    before = snapshot()
    response = client.post(url("letter_sent", uid=delivery.uid),
                           {f"letter-{delivery.pk}-letter_number": ""})
    assert response.status_code == 400 and snapshot() == before
    response = client.post(url("letter_sent", uid=delivery.uid),
                           {f"letter-{delivery.pk}-letter_number": "01/77"})
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.letter_number == "01/77"
    assert delivery.outbox.state == Outbox.State.DELIVERED
    # Once sent, sending again is refused.
    before = snapshot()
    response = client.post(url("letter_sent", uid=delivery.uid),
                           {f"letter-{delivery.pk}-letter_number": "01/78"})
    assert response.status_code == 409 and snapshot() == before


def test_the_head_tries_a_failed_delivery_again(client, units, personas, signed_in):
    make_report(units, personas, "dead")
    signed_in(personas["head"])
    html = page(client)
    assert "connection refused" in html and url("retry", uid=ON_DELIVERY["uid"]) in html
    assert client.post(url("retry", uid=ON_DELIVERY["uid"])).status_code == 302
    assert Outbox.objects.get().state == Outbox.State.PENDING
    before = snapshot()
    assert client.post(url("retry", uid=ON_DELIVERY["uid"])).status_code == 409
    assert snapshot() == before


def test_a_delivery_of_another_month_is_not_found(client, units, personas, signed_in):
    make_report(units, personas, "dead")
    signed_in(personas["head"])
    response = client.post(url("retry", uid=ON_DELIVERY["uid"], month="2026-09"))
    assert response.status_code == 404


# --- what a report page says ----------------------------------------------------------------------

def test_a_month_with_no_corruption_complaint_states_the_nil_return(client, units, personas,
                                                                    signed_in):
    make_report(units, personas, "draft")
    signed_in(personas["officer"])
    html = page(client)
    assert 'id="nil-statement"' in html and 'id="no-answers-statement"' in html
    assert "Walk-in" not in html  # Mongolian page


def test_the_nil_statement_is_absent_once_a_complaint_is_triaged_corruption_related(
    client, units, personas, signed_in
):
    complaint = log_complaint(units["DG"], personas["clerk"], body="Хээл хахууль авсан.")
    triage(complaint, personas["officer"])
    signed_in(personas["clerk"])
    client.post(reverse("reporting:draft", args=["DG"]), {"month": MONTH})
    html = page(client)
    assert 'id="nil-statement"' not in html
    assert complaint.reference in html[html.index('id="corruption-list"'):]


def test_a_box_opening_with_no_slips_is_shown(client, units, personas, signed_in):
    with time_machine.travel(datetime(2026, 10, 15, 9, tzinfo=UB), tick=False):
        box_opening_record(unit=units["DG"], box=BoxOpening.Box.COMPLAINT,
                           opened_at=datetime(2026, 10, 15, 9, tzinfo=UB),
                           opened_by=personas["clerk"], witness=personas["officer"],
                           slip_count=0, recorded_by=personas["clerk"])
    signed_in(personas["clerk"])
    client.post(reverse("reporting:draft", args=["DG"]), {"month": MONTH})
    html = page(client)
    openings = html[html.index('id="box-openings"'):]
    assert "2026.10.15" in openings
    assert "0 (" in openings  # "0 (no slips)", in Mongolian


def test_the_english_page_uses_labels_not_codes(client, units, personas, signed_in):
    make_report(units, personas, "approved")
    signed_in(personas["auditor"])
    html = client.get("/en" + url("month")).content.decode()
    assert "Walk-in" in html and "walk_in" not in html
    assert "In the reporting period no complaint or information was received" in html
    assert "No recommendation or notice was received from the agency" in html
    assert "Acknowledging receipt" in html  # the clocks


def test_the_index_lists_the_months_with_their_state_and_due_day(client, units, personas,
                                                                 signed_in):
    make_report(units, personas, "prepared")
    signed_in(personas["officer"])
    response = client.get(reverse("reporting:index", args=["DG"]))
    assert response.status_code == 200
    html = response.content.decode()
    row = re.search(r'<tr[^>]*id="month-2026-10">(.*?)</tr>', html, re.S).group(1)
    assert "DG-T-2026-10" in row and "2026.11.06" in row
    assert html.count('id="month-') == 24
    september = re.search(r'<tr([^>]*)id="month-2026-09">', html).group(1)
    # Never drafted and its due day has passed, but DG's records begin on 6 October: owed
    # nothing (tests/reporting/test_months_before_the_unit.py has the late ones).
    assert "overdue" not in september
    assert 'action="/staff/u/DG/reports/draft/"' not in html  # officers do not draft


def test_the_national_head_reads_dgs_report_but_cannot_act(client, units, personas,
                                                           signed_in):
    make_report(units, personas, "prepared")
    signed_in(personas["national_head"])
    html = page(client)
    assert "DG-T-2026-10" in html
    assert 'id="approve-form"' not in html and 'id="narrative-form"' not in html


# --- downloads ------------------------------------------------------------------------------------

FORMATS = ("docx", "pdf", "xlsx", "csv")


def _need_exports(fmt):
    from reporting import exports
    if fmt == "pdf":
        from reporting import fonts

        try:
            fonts.register()
        except fonts.FontMissing:
            pytest.skip("the PDF fonts are not installed")
    return exports


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_download_is_an_attachment_that_is_not_stored(client, units, personas,
                                                           signed_in, fmt):
    exports = _need_exports(fmt)
    report = make_report(units, personas, "approved")
    signed_in(personas["officer"])
    response = client.get(url("export", fmt=fmt))
    assert response.status_code == 200
    assert response["Content-Type"] == exports.CONTENT_TYPES[fmt]
    assert response["Content-Disposition"] == (
        f'attachment; filename="{report.reference}.{fmt}"')
    assert "no-store" in response["Cache-Control"]
    assert len(response.content) > 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_quarter_download_is_an_attachment(client, units, personas, signed_in, fmt):
    exports = _need_exports(fmt)
    make_report(units, personas, None)
    signed_in(personas["national_head"])
    response = client.get(reverse("reporting:quarter_export", args=["UBEG", "2026-Q4", fmt]))
    assert response.status_code == 200
    assert response["Content-Type"] == exports.CONTENT_TYPES[fmt]
    assert response["Content-Disposition"] == f'attachment; filename="UBEG-2026-Q4.{fmt}"'
    assert "no-store" in response["Cache-Control"]


def test_a_download_names_an_older_version_by_its_number(client, units, personas, signed_in):
    _need_exports("csv")
    make_report(units, personas, "approved")
    signed_in(personas["clerk"])
    client.post(url("correct"), {"correct-version": "1", "correct-reason": "Алдаа."})
    latest = client.get(url("export", fmt="csv"))
    first = client.get(url("export", fmt="csv"), {"version": "1"})
    assert 'filename="DG-T-2026-10-v2.csv"' in latest["Content-Disposition"]
    assert 'filename="DG-T-2026-10.csv"' in first["Content-Disposition"]


def test_a_download_of_a_report_not_drafted_or_an_unknown_format_is_not_found(
    client, units, personas, signed_in
):
    signed_in(personas["clerk"])
    assert client.get(url("export", fmt="csv")).status_code == 404
    make_report(units, personas, "draft")
    assert client.get(url("export", fmt="html")).status_code == 404
    assert client.get(url("export", fmt="csv"), {"version": "3"}).status_code == 404
    assert not MonthlyReport.objects.filter(version__gt=1).exists()


def test_the_report_page_links_every_download(client, units, personas, signed_in):
    make_report(units, personas, "approved")
    signed_in(personas["clerk"])
    html = page(client)
    for fmt in FORMATS:
        assert f'href="{url("export", fmt=fmt)}"' in html
