"""An approved implementation report for an agency that takes letters waits in the list of
letters to post; the clerk marks it sent with the letter's number, on the report's page,
in the page's one form, so that a correction's reason typed beside it is not lost."""

import pytest

from audit.models import AuditEvent
from outbox.models import Agency, Outbox
from plans.deliveries import OUTBOX_KIND
from tests.plans.test_report import _approved
from tests.reporting.test_exports import placed_unit
from tests.routing.helpers import make_agency

pytestmark = pytest.mark.django_db

URL = "/staff/u/DG/plans/2026/report/2026-11-15/"


@pytest.fixture
def posted(units, personas):
    placed_unit(units, personas)
    make_agency(delivery=Agency.Delivery.LETTER, api_url="")
    report = _approved(units, personas)
    return report, Outbox.objects.get(subject_kind=OUTBOX_KIND, subject_id=report.pk)


def test_the_report_waits_with_the_letters_to_post_until_marked_sent(posted, personas,
                                                                      signed_in):
    report, row = posted
    assert row.state == Outbox.State.MANUAL
    clerk = signed_in(personas["clerk"])
    letters = clerk.get("/staff/u/DG/letters/").content.decode()
    assert row.subject_reference in letters and f"#letter-{row.pk}" in letters
    answer = clerk.post(f"{URL}letters/{row.pk}/sent/", {f"letter-{row.pk}-letter_number":
                                                         "01/245"})
    assert answer.status_code == 302
    row.refresh_from_db()
    assert row.state == Outbox.State.DELIVERED and row.delivered_at is not None
    event = AuditEvent.objects.get(action="plan.report_letter_sent")
    assert event.details_dict["letter_number"] == "01/245"
    assert row.subject_reference not in clerk.get("/staff/u/DG/letters/").content.decode()


def test_a_reason_typed_beside_it_is_kept_and_nothing_is_done(posted, personas, signed_in):
    _report, row = posted
    clerk = signed_in(personas["clerk"])
    answer = clerk.post(f"{URL}letters/{row.pk}/sent/", {
        f"letter-{row.pk}-letter_number": "01/245", "correct-reason": "Тоо буруу"})
    assert answer.status_code == 409
    page = answer.content.decode()
    assert "01/245" in page and "Тоо буруу" in page
    row.refresh_from_db()
    assert row.state == Outbox.State.MANUAL


def test_an_officer_is_not_shown_the_reports_letter(posted, personas, signed_in):
    _report, row = posted
    officer = signed_in(personas["officer"])
    letters = officer.get("/staff/u/DG/letters/")
    assert letters.status_code == 200
    assert row.subject_reference not in letters.content.decode()


def test_no_number_or_the_wrong_role_changes_nothing(posted, personas, signed_in):
    _report, row = posted
    clerk = signed_in(personas["clerk"])
    assert clerk.post(f"{URL}letters/{row.pk}/sent/",
                      {f"letter-{row.pk}-letter_number": "  "}).status_code == 400
    officer = signed_in(personas["officer"])
    assert officer.post(f"{URL}letters/{row.pk}/sent/",
                        {f"letter-{row.pk}-letter_number": "1"}).status_code == 403
    row.refresh_from_db()
    assert row.state == Outbox.State.MANUAL
    assert not AuditEvent.objects.filter(action="plan.report_letter_sent").exists()
