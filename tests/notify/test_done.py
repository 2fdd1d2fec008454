"""A notification that asks for work is done when the work is done: marked read for every
person who was told, whoever did the work. Nobody is told of their own act. Every kind opens
the thing it is about: the case for a complaint or a referral, the month's page for a report.
"""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from intake.case.services import complaint_close, staff_reply_send
from intake.models import Channel
from intake.models import Kind as ComplaintKind
from intake.services import Content, staff_channel_log
from notify.events import emit, settle
from notify.models import Kind, Notification
from notify.rules import ROLES, SETTLES
from org.models import Role
from reporting import services as reports
from routing.services import referral_approve, referral_return
from tests.conftest import make_staff
from tests.routing.helpers import make_agency, prepare, triage

pytestmark = pytest.mark.django_db

UB = timezone.get_default_timezone()
NOW = datetime(2026, 11, 2, 10, tzinfo=UB)
OCTOBER = date(2026, 10, 1)


@pytest.fixture(autouse=True)
def _now(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path / "data"
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def _letter(units, personas):
    return staff_channel_log(
        unit=units["DG"], channel=Channel.LETTER, kind=ComplaintKind.COMPLAINT,
        received_at=NOW - timedelta(hours=1), logged_by=personas["clerk"],
        content=Content(body="Хээл хахууль нэхсэн.", subject="Гомдол"),
    ).complaint


def _unread(person, kind) -> int:
    return Notification.objects.filter(recipient=person, kind=kind).unread().count()


def _told(kind) -> set[str]:
    return set(Notification.objects.filter(kind=kind)
               .values_list("recipient__username", flat=True))


# --- done when the work is done ----------------------------------------------------------

def test_approving_a_referral_clears_the_heads_waiting_for_approval(units, personas):
    complaint = _letter(units, personas)
    triage(complaint, personas["officer"])
    referral = prepare(complaint, personas["officer"], make_agency())
    assert _unread(personas["head"], Kind.REFERRAL_PREPARED) == 1
    referral_approve(referral=referral, by=personas["head"])
    assert _unread(personas["head"], Kind.REFERRAL_PREPARED) == 0
    assert _unread(personas["officer"], Kind.REFERRAL_APPROVED) == 1


def test_sending_a_referral_back_clears_it_too(units, personas):
    complaint = _letter(units, personas)
    triage(complaint, personas["officer"])
    referral = prepare(complaint, personas["officer"], make_agency())
    referral_return(referral=referral, by=personas["head"], reason="Нотлох баримт дутуу.")
    assert _unread(personas["head"], Kind.REFERRAL_PREPARED) == 0


def test_triage_clears_the_new_complaint_for_the_officers_and_heads(units, personas):
    complaint = _letter(units, personas)
    assert _unread(personas["head"], Kind.COMPLAINT_LOGGED) == 1
    triage(complaint, personas["officer"])
    assert _unread(personas["officer"], Kind.COMPLAINT_LOGGED) == 0
    assert _unread(personas["head"], Kind.COMPLAINT_LOGGED) == 0


def test_a_reply_clears_the_reporters_message_and_closing_clears_the_clocks(units, personas):
    complaint = _letter(units, personas)
    subject = {"complaint": complaint.pk, "reference": complaint.reference}
    emit(Kind.REPORTER_MESSAGE, unit=units["DG"], subject=subject)
    emit(Kind.CLOCK_APPROACHING, unit=units["DG"],
         subject=subject | {"clock": "resolve", "step": 0, "due": "2026-11-20"})
    staff_reply_send(complaint=complaint, body="Хүлээн авлаа.", by=personas["officer"])
    assert _unread(personas["head"], Kind.REPORTER_MESSAGE) == 0
    assert _unread(personas["head"], Kind.CLOCK_APPROACHING) == 1
    complaint_close(complaint=complaint, reason="Шийдвэрлэсэн.", by=personas["officer"])
    assert _unread(personas["head"], Kind.CLOCK_APPROACHING) == 0


def test_the_work_on_one_case_leaves_another_cases_notifications_unread(units, personas):
    first, second = _letter(units, personas), _letter(units, personas)
    triage(first, personas["officer"])
    assert _unread(personas["head"], Kind.COMPLAINT_LOGGED) == 1
    [left] = Notification.objects.filter(recipient=personas["head"],
                                         kind=Kind.COMPLAINT_LOGGED).unread()
    assert left.event.subject["complaint"] == second.pk


def test_a_monthly_report_clears_each_step_as_it_moves(units, personas):
    clerk, head = personas["clerk"], personas["head"]
    report, _created = reports.report_draft(unit=units["DG"], period=OCTOBER)
    emit(Kind.REPORT_LATE, unit=units["DG"], subject={"month": report.month, "state": "draft"})
    assert _unread(clerk, Kind.REPORT_DRAFTED) == 1
    report = reports.report_prepare(report=report, by=clerk)
    assert _unread(clerk, Kind.REPORT_DRAFTED) == 0
    assert _unread(head, Kind.REPORT_AWAITING_REVIEW) == 1
    report = reports.report_send_back(report=report, by=head, reason="Тайлбар дутуу.")
    assert _unread(head, Kind.REPORT_AWAITING_REVIEW) == 0
    assert _unread(clerk, Kind.REPORT_SENT_BACK) == 1
    report = reports.report_prepare(report=report, by=clerk)
    assert _unread(clerk, Kind.REPORT_SENT_BACK) == 0
    reports.report_approve(report=report, by=head)
    for person in (clerk, head):
        assert _unread(person, Kind.REPORT_AWAITING_REVIEW) == 0
        assert _unread(person, Kind.REPORT_LATE) == 0
    assert _unread(clerk, Kind.REPORT_APPROVED) == 1


def test_a_late_report_of_another_unit_stays_unread(units, personas):
    make_staff("du_clerk", units["DU"], Role.CLERK)
    emit(Kind.REPORT_LATE, unit=units["DU"], subject={"month": "2026-10", "state": "draft"})
    settle(Kind.REPORT_APPROVED, unit=units["DG"], subject={"report": 1, "month": "2026-10"})
    assert Notification.objects.filter(kind=Kind.REPORT_LATE).unread().count() == 1


def test_every_settled_kind_and_key_is_one_a_subject_may_hold():
    from notify.rules import SUBJECT_KEYS

    for done, settled in SETTLES.items():
        assert isinstance(done, str)
        for kind, keys in settled:
            assert kind in Kind.values
            assert all(key == "unit" or key in SUBJECT_KEYS for key in keys), (done, kind)


# --- never told of one's own act ---------------------------------------------------------

def test_the_head_is_not_told_of_their_own_approval(units, personas):
    clerk, head = personas["clerk"], personas["head"]
    report, _created = reports.report_draft(unit=units["DG"], period=OCTOBER)
    report = reports.report_prepare(report=report, by=clerk)
    assert _told(Kind.REPORT_AWAITING_REVIEW) == {"head"}
    reports.report_approve(report=report, by=head)
    assert "head" not in _told(Kind.REPORT_APPROVED)
    assert "clerk" in _told(Kind.REPORT_APPROVED)


def test_a_head_who_triages_is_not_told_of_it(units, personas):
    complaint = _letter(units, personas)
    triage(complaint, personas["head"])
    assert _told(Kind.COMPLAINT_TRIAGED) == set()


def test_an_officer_who_logs_a_walk_in_is_not_told_of_it(units, personas):
    staff_channel_log(
        unit=units["DG"], channel=Channel.WALK_IN, kind=ComplaintKind.COMPLAINT,
        received_at=NOW - timedelta(minutes=5), logged_by=personas["officer"],
        content=Content(body="Биечлэн ирж гаргасан гомдол."),
    )
    assert _told(Kind.COMPLAINT_LOGGED) == {"head"}


# --- every kind opens what it is about -----------------------------------------------------

@pytest.mark.parametrize("kind", Kind.values)
def test_every_kind_opens_the_case_or_the_month(kind, client, units, personas, signed_in):
    subject = {"complaint": 4, "reference": "DG-2026-00004", "referral": 2,
               "referral_reference": "DG-2026-00004-R1", "report": 3, "month": "2026-10",
               "report_reference": "DG-T-2026-10"}
    emit(kind, unit=units["DG"], subject=subject)
    role = sorted(ROLES[kind] & {"head", "officer", "clerk", "admin"})[0]
    signed_in(personas[role])
    [row] = client.get(reverse("notify:centre")).context["rows"]
    if kind == Kind.CALENDAR_INCOMPLETE:  # the administrators enter the missing holidays
        assert row.link == reverse("admin:org_calendarday_changelist")
    elif kind == Kind.TALLY_MISMATCH:  # the counters were put right; the status page
        assert row.link == reverse("ops:status", args=["DG"])
    elif kind.startswith("report."):
        assert row.link == reverse("reporting:month", args=["DG", "2026-10"])
    else:
        assert row.link == reverse("intake:case", args=["DG", "DG-2026-00004"])


# --- the bell's count -----------------------------------------------------------------------

def test_the_bell_shows_the_real_count_past_twenty(client, units, personas, signed_in):
    for number in range(23):
        emit(Kind.COMPLAINT_LOGGED, unit=units["DG"],
             subject={"complaint": number + 1, "reference": f"DG-2026-{number + 1:05d}"})
    signed_in(personas["head"])
    html = client.get(reverse("notify:centre")).content.decode()
    assert '<span id="notify-count" class="badge">23</span>' in html
