"""Events from the workflows: each change that people must hear of emits exactly one event of
its kind, for its unit, in the change's own transaction; the people told are those of the
kind's roles in the unit, never anyone recused from the complaint; and nothing an event or
a notification holds says what the complaint says or who made it."""

import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.core import serializers
from django.db import transaction

from devtools.standin import AgencyStandIn
from intake.models import Channel, Complaint, Recusal
from intake.models import Kind as ComplaintKind
from intake.services import Content, reporter_message_send, staff_channel_log, web_report_submit
from notify.events import clean_subject, emit
from notify.models import Dispatch, Event, Notification
from notify.models import Kind as Notice
from org.models import Role
from outbox.models import Agency
from outbox.tasks import deliver
from routing.delivery import dead_letter_retry
from routing.models import AgencyAnswer, ReferralState
from routing.services import answer_record, letter_mark_sent, referral_approve
from tests.conftest import make_staff
from tests.intake.pages_case import NOW
from tests.routing.helpers import approved_referral, make_agency, prepare, today, triage

pytestmark = pytest.mark.django_db

CANARY = "ZX-CANARY-events-5b1e"
REPORTER = "Canary Reporter-77aa"
PHONE = "+97699117733"
SECRET = "shared-secret-for-the-stand-in"


@pytest.fixture(autouse=True)
def _now(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AGENCY_HTTP_TIMEOUT_SECONDS = 1
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def staff(personas):
    """The personas with email addresses, so that emails are queued for them too."""
    for name, user in personas.items():
        user.email = f"{name}@shugel.example"
        user.save(update_fields=["email"])
    return personas


def _letter(units, staff, body=f"Бичиг хэргийн ажилтан {CANARY} мөнгө нэхсэн.") -> Complaint:
    return staff_channel_log(
        unit=units["DG"], channel=Channel.LETTER, kind=ComplaintKind.COMPLAINT,
        received_at=NOW - timedelta(hours=1), logged_by=staff["clerk"],
        content=Content(body=body, subject=f"Гомдол {CANARY}",
                        reporter={"name": REPORTER, "phone": PHONE}),
    ).complaint


def _events(kind) -> list[Event]:
    return list(Event.objects.filter(kind=kind).order_by("pk"))


def _told(event: Event) -> list[str]:
    return sorted(event.notifications.values_list("recipient__username", flat=True))


def _one(kind, unit="DG") -> Event:
    """The one event of `kind`, which must be of `unit`."""
    [event] = _events(kind)
    assert event.unit.code == unit
    return event


# --- one event per change, to the right people -------------------------------------------------

def test_a_logged_complaint_tells_the_units_officers_and_heads(units, staff):
    complaint = _letter(units, staff)
    event = _one(Notice.COMPLAINT_LOGGED)
    assert event.subject == {"complaint": complaint.pk, "reference": complaint.reference}
    # Not the clerk who logged it, nor anyone of another unit or of the parent.
    assert _told(event) == ["head", "officer"]


def test_a_complaint_on_the_web_tells_them_too(units, staff):
    logged = web_report_submit(
        unit=units["DG"], kind=ComplaintKind.COMPLAINT, language="mn",
        content=Content(body=f"Хахууль {CANARY}", reporter={"name": REPORTER}),
        submission_token="token-1",
    )
    event = _one(Notice.COMPLAINT_LOGGED)
    assert event.subject["reference"] == logged.complaint.reference
    assert _told(event) == ["head", "officer"]


def test_a_complaint_naming_the_head_tells_the_parents_head_and_not_the_head(units, staff):
    complaint = _letter(units, staff, body=f"Хэлтсийн дарга {CANARY} хээл хахууль авсан.")
    assert complaint.escalated_to == units["UBEG"]
    assert Recusal.objects.filter(complaint=complaint, user=staff["head"]).exists()
    # The unit's officers as usual; the parent's head from the parent unit, where the case
    # is in their queue; the parent's officers do not see the case and are not told.
    events = _events(Notice.COMPLAINT_LOGGED)
    assert [(event.unit.code, _told(event)) for event in events] == [
        ("DG", ["officer"]), ("UBEG", ["national_head"])]


def test_a_message_from_the_reporter_tells_the_officers_and_heads(units, staff):
    logged = web_report_submit(
        unit=units["DG"], kind=ComplaintKind.COMPLAINT, language="mn",
        content=Content(body="Хахууль"), submission_token="token-2",
    )
    reporter_message_send(complaint=logged.complaint, body=f"Нэмэлт {CANARY}")
    event = _one(Notice.REPORTER_MESSAGE)
    assert event.subject == {"complaint": logged.complaint.pk,
                             "reference": logged.complaint.reference}
    assert _told(event) == ["head", "officer"]


def test_triage_tells_the_head(units, staff):
    complaint = _letter(units, staff)
    triage(complaint, staff["officer"])
    event = _one(Notice.COMPLAINT_TRIAGED)
    assert event.subject == {"complaint": complaint.pk, "reference": complaint.reference}
    assert _told(event) == ["head"]


def test_a_prepared_referral_tells_the_head_and_its_approval_the_officer(units, staff):
    complaint = _letter(units, staff)
    referral = prepare(complaint, staff["officer"], make_agency())
    prepared = _one(Notice.REFERRAL_PREPARED)
    subject = {"complaint": complaint.pk, "reference": complaint.reference,
               "referral": referral.pk, "referral_reference": referral.reference}
    assert prepared.subject == subject and _told(prepared) == ["head"]

    referral_approve(referral=referral, by=staff["head"])
    approved = _one(Notice.REFERRAL_APPROVED)
    assert approved.subject == subject and _told(approved) == ["officer"]


def test_an_approval_tells_whoever_prepared_it_even_a_head(units, staff):
    """A head of the parent prepares; the unit's head approves; both officers and the head
    who prepared it hear of the approval."""
    complaint = _letter(units, staff)
    triage(complaint, staff["officer"])
    Complaint.objects.filter(pk=complaint.pk).update(escalated_to=units["UBEG"])
    complaint.refresh_from_db()
    referral = prepare(complaint, staff["national_head"], make_agency())
    referral_approve(referral=referral, by=staff["head"])
    [approved] = _events(Notice.REFERRAL_APPROVED)
    assert _told(approved) == ["national_head", "officer"]


def test_a_letter_marked_sent_tells_the_officers_and_heads(units, staff):
    complaint = _letter(units, staff)
    agency = make_agency("post", delivery=Agency.Delivery.LETTER)
    referral = approved_referral(complaint, staff["officer"], staff["head"], agency)
    letter_mark_sent(referral=referral, by=staff["clerk"], letter_number="01/123",
                     sent_on=today())
    event = _one(Notice.REFERRAL_DELIVERED)
    assert event.subject["referral"] == referral.pk and _told(event) == ["head", "officer"]


@pytest.fixture
def standin():
    with AgencyStandIn(SECRET) as server:
        yield server


def test_a_delivery_and_an_answer_tell_the_officers_and_heads(units, staff, standin):
    complaint = _letter(units, staff)
    agency = make_agency(api_url=standin.url, secret=SECRET)
    referral = approved_referral(complaint, staff["officer"], staff["head"], agency)
    assert deliver(referral.outbox.pk) == "delivered"
    assert deliver(referral.outbox.pk) == "not due"  # delivered once, told once
    delivered = _one(Notice.REFERRAL_DELIVERED)
    assert delivered.subject["referral_reference"] == referral.reference
    assert _told(delivered) == ["head", "officer"]

    for _ in range(2):  # the agency's callback, repeated: one answer, one event
        answer_record(referral=referral, kind=AgencyAnswer.Kind.ACKNOWLEDGEMENT,
                      answered_on=today(), event_id="ack-1", agency_reference="АТГ-1",
                      text=f"Хүлээн авлаа {CANARY}")
    answered = _one(Notice.REFERRAL_ANSWERED)
    assert answered.subject == {
        "complaint": complaint.pk, "reference": complaint.reference,
        "referral": referral.pk, "referral_reference": referral.reference,
        "state": ReferralState.ACKNOWLEDGED}
    assert _told(answered) == ["head", "officer"]


def test_a_dead_letter_tells_the_heads_once_and_again_only_if_it_fails_again(
        units, staff, standin):
    standin.mode, standin.refuse_status = "refuse", 422
    complaint = _letter(units, staff)
    agency = make_agency(api_url=standin.url, secret=SECRET)
    referral = approved_referral(complaint, staff["officer"], staff["head"], agency)
    assert deliver(referral.outbox.pk) == "dead"
    assert deliver(referral.outbox.pk) == "not due"
    failed = _one(Notice.REFERRAL_FAILED)
    assert _told(failed) == ["head"]
    # Queued for email in the same transaction (REFERRAL_FAILED is emailed by default).
    assert Dispatch.objects.filter(notification__event=failed,
                                   recipient=staff["head"]).count() == 1

    dead_letter_retry(referral=referral, by=staff["head"])
    assert deliver(referral.outbox.pk) == "dead"
    assert len(_events(Notice.REFERRAL_FAILED)) == 2


def test_an_event_is_written_only_if_its_change_commits(units, staff):
    complaint = _letter(units, staff)
    with pytest.raises(RuntimeError), transaction.atomic():
        triage(complaint, staff["officer"])
        assert len(_events(Notice.COMPLAINT_TRIAGED)) == 1
        raise RuntimeError("the change is rolled back")
    assert _events(Notice.COMPLAINT_TRIAGED) == []
    assert not Notification.objects.filter(kind=Notice.COMPLAINT_TRIAGED).exists()


# --- recusal -----------------------------------------------------------------------------------

def test_staff_recused_from_a_complaint_are_never_told_of_it(units, staff):
    """The officer is named: from logging to the agency's answer, no event of the case
    reaches them, not even the approval of a referral they would otherwise hear of."""
    deputy = make_staff("deputy", units["DG"], Role.HEAD)
    logged = web_report_submit(
        unit=units["DG"], kind=ComplaintKind.COMPLAINT, language="mn",
        content=Content(body=f"Т.Officer {CANARY} мөнгө нэхсэн."), submission_token="token-4",
    )
    complaint = logged.complaint
    assert Recusal.objects.filter(complaint=complaint, user=staff["officer"]).exists()
    reporter_message_send(complaint=complaint, body="Нэмэлт")
    triage(complaint, staff["head"])
    referral = prepare(complaint, staff["head"],
                       make_agency("post", delivery=Agency.Delivery.LETTER))
    referral = referral_approve(referral=referral, by=deputy)
    letter_mark_sent(referral=referral, by=staff["clerk"], letter_number="01/7",
                     sent_on=today())
    answer_record(referral=referral, kind=AgencyAnswer.Kind.OUTCOME, answered_on=today(),
                  by=staff["clerk"])

    kinds = set(Event.objects.filter(subject__complaint=complaint.pk)
                .values_list("kind", flat=True))
    assert kinds == {Notice.COMPLAINT_LOGGED, Notice.REPORTER_MESSAGE,
                     Notice.COMPLAINT_TRIAGED, Notice.REFERRAL_PREPARED,
                     Notice.REFERRAL_APPROVED, Notice.REFERRAL_DELIVERED,
                     Notice.REFERRAL_ANSWERED}
    assert not Notification.objects.filter(recipient=staff["officer"]).exists()
    assert not Dispatch.objects.filter(recipient=staff["officer"]).exists()
    # The one who prepared it hears of the approval; the head who approved it is a head.
    assert _told(_one(Notice.REFERRAL_APPROVED)) == ["head"]
    assert _told(_one(Notice.REFERRAL_ANSWERED)) == ["deputy", "head"]


def test_a_recusal_made_later_keeps_the_person_out_of_later_events(units, staff):
    complaint = _letter(units, staff)
    Recusal.objects.create(complaint=complaint, user=staff["head"])
    triage(complaint, staff["officer"])
    assert _told(_one(Notice.COMPLAINT_TRIAGED)) == []
    # Named people are left out as well: the exclusion applies to `users` too.
    emit(Notice.REFERRAL_APPROVED, unit=units["DG"],
         subject={"complaint": complaint.pk, "reference": complaint.reference},
         users=[staff["head"].pk])
    assert _told(_one(Notice.REFERRAL_APPROVED)) == ["officer"]


def test_an_event_about_another_complaint_still_reaches_the_recused_person(units, staff):
    named = _letter(units, staff, body="Т.Officer мөнгө нэхсэн.")
    other = _letter(units, staff, body="Хүлээлгэсэн.")
    assert Recusal.objects.filter(complaint=named, user=staff["officer"]).exists()
    told = {event.subject["complaint"]: _told(event)
            for event in _events(Notice.COMPLAINT_LOGGED)}
    assert told == {named.pk: ["head"], other.pk: ["head", "officer"]}


# --- nothing of the complaint --------------------------------------------------------------------

def test_no_event_notification_or_email_holds_the_complaint_or_the_reporter(
        units, staff, standin):
    standin.mode = "refuse"
    complaint = _letter(units, staff)
    logged = web_report_submit(
        unit=units["DG"], kind=ComplaintKind.COMPLAINT, language="mn",
        content=Content(body=f"Хахууль {CANARY}", reporter={"name": REPORTER, "phone": PHONE}),
        submission_token="token-3",
    )
    reporter_message_send(complaint=logged.complaint, body=f"Нэмэлт {CANARY} {REPORTER}")
    triage(complaint, staff["officer"], reason=f"Шалтгаан {CANARY}")
    referral = approved_referral(
        complaint, staff["officer"], staff["head"],
        make_agency(api_url=standin.url, secret=SECRET),
        cover_letter=f"Албан бичиг {CANARY} {REPORTER}", include_reporter=True)
    deliver(referral.outbox.pk)
    assert set(Event.objects.values_list("kind", flat=True)) >= {
        Notice.COMPLAINT_LOGGED, Notice.REPORTER_MESSAGE, Notice.COMPLAINT_TRIAGED,
        Notice.REFERRAL_PREPARED, Notice.REFERRAL_APPROVED, Notice.REFERRAL_FAILED}

    for event in Event.objects.all():
        assert set(event.subject) <= {"complaint", "reference", "referral",
                                      "referral_reference", "state"}
        assert CANARY not in json.dumps(event.subject, ensure_ascii=False)
    stored = io.StringIO()
    for model in (Event, Notification, Dispatch):
        serializers.serialize("json", model.objects.all(), stream=stored)
    text = stored.getvalue()
    for secret in (CANARY, REPORTER, PHONE, "99117733"):
        assert secret not in text


def test_a_subject_with_text_is_refused(units):
    with pytest.raises(ValueError):
        clean_subject({"complaint": 1, "body": f"Хахууль {CANARY}"})
    with pytest.raises(ValueError):
        clean_subject({"reference": f"DG-2026-00001 {CANARY} {REPORTER} and more words"})
    with pytest.raises(ValueError):
        clean_subject({"complaint": "12"})  # an id is a number, not text
    with pytest.raises(ValueError):
        emit(Notice.COMPLAINT_LOGGED, unit=units["DG"],
             subject={"complaint": 1, "reporter": REPORTER})
    assert not Event.objects.exists() and not Notification.objects.exists()


def test_the_worker_is_woken_only_when_an_email_or_text_was_queued(
        units, staff, django_capture_on_commit_callbacks, monkeypatch):
    from notify import delivery

    woken = []
    monkeypatch.setattr(delivery, "send_soon", lambda: woken.append(True))
    # Officers and heads are told of a new complaint on screen only (notify.rules).
    with django_capture_on_commit_callbacks(execute=True):
        _letter(units, staff)
    assert _told(_one(Notice.COMPLAINT_LOGGED)) and not Dispatch.objects.exists()
    # No one in those roles: the event is recorded, no one is told, nothing is queued.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        emit(Notice.COMPLAINT_LOGGED, unit=units["DU"], subject={"complaint": 1},
             roles={Role.CLERK})
    assert not _told(Event.objects.get(unit=units["DU"])) and not callbacks
    assert woken == []
    # A kind emailed by default wakes it.
    with django_capture_on_commit_callbacks(execute=True):
        emit(Notice.CLOCK_OVERDUE, unit=units["DG"], subject={"complaint": 1})
    assert Dispatch.objects.exists() and woken == [True]
