"""Emails and text messages about notifications: who gets which, that they say nothing of a
complaint, that each goes once even with two workers, digests, retries, and the schedules.

Emails go to Django's in-memory outbox, except in one test that sends through a real SMTP
server on 127.0.0.1 (aiosmtpd); text messages go to the log (notify.sms.ConsoleSMS).
"""

import email
import email.policy
import logging
import smtplib
import socket
import time
from datetime import datetime, timedelta

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, transaction
from django.utils import timezone, translation
from django_q.models import Schedule

from intake.models import Channel as IntakeChannel
from intake.models import Kind as ComplaintKind
from intake.services import Content, reporter_message_send, staff_channel_log, web_report_submit
from notify import delivery
from notify.events import emit
from notify.models import Channel, Dispatch, Kind, Notification, Preference, Profile
from tests.intake.pages_case import UB
from tests.racing import at_once

pytestmark = pytest.mark.django_db

# A moment in the working day, before the digests close at 17:00.
MORNING = datetime(2026, 3, 20, 10, 0, tzinfo=UB)
CANARY = "Канарейка-мэдэгдэл-55443322"
CANARY_PHONE = "+97688776655"
CANARY_EMAIL = "kanareika@reporter.example.mn"
SMS_NUMBER = "+97699112233"
# Mongolian first: the link carries no language prefix, whatever language is active.
CENTRE_LINK = django_settings.SITE_URL + "/staff/notifications/"


@pytest.fixture
def clock():
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def staff(personas):
    for name in ("clerk", "officer", "head"):
        personas[name].email = f"{name}@shugel.example"
        personas[name].save(update_fields=["email"])
    return personas


def everything_on(user):
    """Email and text messages for every kind, one at a time (no digest)."""
    Profile.objects.update_or_create(user=user, defaults={"sms_number": SMS_NUMBER})
    for kind in Kind.values:
        for channel in Channel.values:
            Preference.objects.update_or_create(user=user, kind=kind, channel=channel,
                                                defaults={"enabled": True})


def failed_referral(units):
    """An event the head is emailed about by default."""
    return emit(Kind.REFERRAL_FAILED, unit=units["DG"],
                subject={"referral": 7, "referral_reference": "DG-2026-00001-R1"})


def sms_lines(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "notify.sms"]


def everything_sent(caplog) -> str:
    """All that left: every email's headers, subject and body, and every text message."""
    parts = [f"{m.subject}\n{m.body}\n{m.extra_headers}\n{m.to}" for m in mail.outbox]
    return "\n".join(parts + sms_lines(caplog))


# --- who is told by which channel -----------------------------------------------------------

def test_a_kind_emailed_by_default_is_emailed_once_the_notification_commits(
        units, staff, clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        failed_referral(units)
    # The task ran synchronously (Q_CLUSTER sync in tests) after the commit.
    assert [m.to for m in mail.outbox] == [["head@shugel.example"]]
    dispatch = Dispatch.objects.get()
    assert (dispatch.state, dispatch.channel, dispatch.attempts) == (
        Dispatch.State.SENT, Channel.EMAIL, 1)
    assert dispatch.sent_at == timezone.now()


def test_nothing_is_sent_inside_the_emitting_transaction(units, staff, clock):
    failed_referral(units)
    assert mail.outbox == []
    assert Dispatch.objects.get().state == Dispatch.State.PENDING


def test_a_kind_not_emailed_by_default_makes_no_dispatch(units, staff, clock):
    emit(Kind.COMPLAINT_TRIAGED, unit=units["DG"], subject={"complaint": 1})
    assert Notification.objects.filter(recipient=staff["head"]).exists()
    assert not Dispatch.objects.exists()


def test_a_kind_turned_off_makes_no_dispatch(units, staff, clock):
    Preference.objects.create(user=staff["head"], kind=Kind.REFERRAL_FAILED,
                              channel=Channel.EMAIL, enabled=False)
    failed_referral(units)
    assert not Dispatch.objects.exists()


def test_a_kind_turned_on_is_emailed(units, staff, clock):
    Preference.objects.create(user=staff["head"], kind=Kind.COMPLAINT_TRIAGED,
                              channel=Channel.EMAIL, enabled=True)
    emit(Kind.COMPLAINT_TRIAGED, unit=units["DG"], subject={"complaint": 1})
    delivery.send_pending()
    assert [m.to for m in mail.outbox] == [["head@shugel.example"]]


def test_no_email_address_means_no_email(units, staff, clock):
    staff["head"].email = ""
    staff["head"].save(update_fields=["email"])
    failed_referral(units)
    assert not Dispatch.objects.exists()


def test_text_messages_need_a_number_and_a_choice(units, staff, clock, caplog):
    Preference.objects.create(user=staff["head"], kind=Kind.REFERRAL_FAILED,
                              channel=Channel.SMS, enabled=True)
    failed_referral(units)  # chosen, but no number yet
    assert list(Dispatch.objects.values_list("channel", flat=True)) == [Channel.EMAIL]
    Profile.objects.create(user=staff["head"], sms_number=SMS_NUMBER)
    failed_referral(units)
    assert sorted(Dispatch.objects.values_list("channel", flat=True)) == [
        Channel.EMAIL, Channel.EMAIL, Channel.SMS]
    with caplog.at_level(logging.INFO, logger="notify.sms"):
        delivery.send_pending()
    [line] = sms_lines(caplog)
    assert line.startswith("SMS to …2233: ")
    assert SMS_NUMBER not in line
    assert line.endswith(CENTRE_LINK)


def test_text_messages_are_off_by_default(units, staff, clock):
    Profile.objects.create(user=staff["head"], sms_number=SMS_NUMBER)
    failed_referral(units)
    assert list(Dispatch.objects.values_list("channel", flat=True)) == [Channel.EMAIL]


def test_the_email_says_only_that_something_needs_attention_and_links_to_the_centre(
        units, staff, clock):
    failed_referral(units)
    delivery.send_pending()
    [message] = mail.outbox
    with translation.override(django_settings.LANGUAGE_CODE):
        label = str(Kind.REFERRAL_FAILED.label)
        assert message.subject == f"{translation.gettext('Shugel: %(kind)s')}" % {
            "kind": label}
    assert CENTRE_LINK in message.body
    assert "DG-2026-00001" not in message.subject + message.body


# --- nothing of a complaint leaves ----------------------------------------------------------

def test_no_complaint_content_reaches_any_email_or_text_message(units, staff, clock, caplog):
    for name in ("officer", "head"):
        everything_on(staff[name])
    sealed = Content(body=f"{CANARY} body", subject=f"{CANARY} subject",
                     particulars={"where": f"{CANARY} where"},
                     reporter={"name": f"{CANARY} name", "phone": CANARY_PHONE,
                               "email": CANARY_EMAIL})
    logged = staff_channel_log(unit=units["DG"], channel=IntakeChannel.LETTER,
                               kind=ComplaintKind.COMPLAINT, received_at=MORNING,
                               content=sealed, logged_by=staff["clerk"]).complaint
    web = web_report_submit(unit=units["DG"], kind=ComplaintKind.COMPLAINT, content=sealed,
                            submission_token="n" * 40, language="mn").complaint
    reporter_message_send(complaint=web, body=f"{CANARY} message")
    emit(Kind.CLOCK_OVERDUE, unit=units["DG"],
         subject={"complaint": logged.pk, "reference": logged.reference, "clock": "resolve"})
    with caplog.at_level(logging.INFO):
        delivery.send_pending()
    # Logged, web and message: officer and head; the overdue clock: the head.
    assert len(mail.outbox) == 7
    assert len(sms_lines(caplog)) == 7
    sent = everything_sent(caplog)
    log = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (CANARY, CANARY_PHONE, CANARY_EMAIL, SMS_NUMBER, logged.reference,
                   web.reference):
        assert secret not in sent
        assert secret not in log


def test_the_daily_digest_gives_counts_and_nothing_else(units, staff, clock):
    everything_on(staff["head"])
    Profile.objects.filter(user=staff["head"]).update(daily_digest=True, sms_number="")
    staff_channel_log(unit=units["DG"], channel=IntakeChannel.LETTER,
                      kind=ComplaintKind.COMPLAINT, received_at=MORNING,
                      content=Content(body=f"{CANARY} body"), logged_by=staff["clerk"])
    clock.move_to(MORNING.replace(hour=17, minute=1))
    delivery.send_digests()
    [message] = mail.outbox
    assert CANARY not in message.subject + message.body
    assert "DG-2026" not in message.body


# --- digests --------------------------------------------------------------------------------

def test_a_digest_is_one_email_a_day_with_counts_per_kind(units, staff, clock):
    Profile.objects.create(user=staff["head"], daily_digest=True)
    failed_referral(units)
    failed_referral(units)
    emit(Kind.CLOCK_OVERDUE, unit=units["DG"], subject={"complaint": 1, "clock": "resolve"})
    digest = Dispatch.objects.get()
    assert (digest.digest_day, digest.notification) == (MORNING.date(), None)

    assert delivery.send_pending() == "nothing due"  # the day is not over
    assert mail.outbox == []

    clock.move_to(MORNING.replace(hour=17, minute=0, second=30))
    failed_referral(units)  # after the day's digest closed: tomorrow's
    assert Dispatch.objects.filter(digest_day=MORNING.date() + timedelta(days=1)).count() == 1
    delivery.send_digests()
    [message] = mail.outbox
    with translation.override(django_settings.LANGUAGE_CODE):
        assert f"{Kind.REFERRAL_FAILED.label}: 2" in message.body
        assert f"{Kind.CLOCK_OVERDUE.label}: 1" in message.body
    assert CENTRE_LINK in message.body
    assert delivery.send_digests() == "nothing due"

    clock.move_to(MORNING.replace(hour=17, minute=1) + timedelta(days=1))
    delivery.send_pending()  # the every-minute run sends a closed digest too
    assert len(mail.outbox) == 2
    with translation.override(django_settings.LANGUAGE_CODE):
        assert f"{Kind.REFERRAL_FAILED.label}: 1" in mail.outbox[1].body
    assert set(Dispatch.objects.values_list("state", flat=True)) == {Dispatch.State.SENT}


def test_a_digest_leaves_out_kinds_not_wanted_by_email(units, staff, clock):
    Profile.objects.create(user=staff["head"], daily_digest=True)
    failed_referral(units)
    emit(Kind.COMPLAINT_TRIAGED, unit=units["DG"], subject={"complaint": 1})
    clock.move_to(MORNING.replace(hour=18))
    delivery.send_digests()
    with translation.override(django_settings.LANGUAGE_CODE):
        assert str(Kind.COMPLAINT_TRIAGED.label) not in mail.outbox[0].body


def test_text_messages_are_not_held_for_the_digest(units, staff, clock, caplog):
    Profile.objects.create(user=staff["head"], daily_digest=True, sms_number=SMS_NUMBER)
    Preference.objects.create(user=staff["head"], kind=Kind.REFERRAL_FAILED,
                              channel=Channel.SMS, enabled=True)
    failed_referral(units)
    with caplog.at_level(logging.INFO, logger="notify.sms"):
        delivery.send_pending()
    assert len(sms_lines(caplog)) == 1
    assert mail.outbox == []


# --- once, and only once --------------------------------------------------------------------

def test_running_twice_sends_each_once(units, staff, clock):
    failed_referral(units)
    failed_referral(units)
    assert delivery.send_pending() == "2 sent"
    assert delivery.send_pending() == "nothing due"
    assert len(mail.outbox) == 2
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 2


def test_a_dispatch_another_worker_holds_is_left_until_its_lease_runs_out(units, staff, clock):
    failed_referral(units)
    dispatch = Dispatch.objects.get()
    # Another worker claimed it and is sending.
    Dispatch.objects.filter(pk=dispatch.pk).update(
        lease_until=timezone.now() + timedelta(seconds=delivery.LEASE_SECONDS), attempts=1)
    assert delivery.send_pending() == "nothing due"
    assert delivery.send_one(dispatch.pk) == "held elsewhere"
    # It died: once the lease is over, the next run sends.
    clock.shift(timedelta(seconds=delivery.LEASE_SECONDS + 1))
    assert delivery.send_pending() == "1 sent"
    dispatch.refresh_from_db()
    assert (dispatch.state, dispatch.attempts) == (Dispatch.State.SENT, 2)


class SlowLocmem(LocmemBackend):
    """The in-memory outbox, slow enough that two workers overlap."""

    def send_messages(self, messages):
        time.sleep(0.02)
        return super().send_messages(messages)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads race on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_on_postgresql_send_each_once(units, staff, settings,
                                                           monkeypatch):
    settings.EMAIL_BACKEND = "tests.notify.test_delivery.SlowLocmem"
    # The task queued on commit would send them all at once, synchronously, in tests.
    monkeypatch.setattr(delivery, "send_soon", lambda: None)
    with transaction.atomic():
        for _number in range(20):
            failed_referral(units)
    assert Dispatch.objects.count() == 20
    assert mail.outbox == []
    at_once(delivery.send_pending, 4)
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert len(ids) == len(set(ids)) == 20
    assert set(Dispatch.objects.values_list("state", "attempts")) == {
        (Dispatch.State.SENT, 1)}


# --- failures -------------------------------------------------------------------------------

class DownBackend(BaseEmailBackend):
    """A mail server that cannot be reached."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connection lost")


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses the address for good."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"no such mailbox")})


def test_a_failed_try_is_retried_with_back_off_then_given_up(units, staff, clock, settings):
    settings.EMAIL_BACKEND = "tests.notify.test_delivery.DownBackend"
    failed_referral(units)
    dispatch = Dispatch.objects.get()
    for attempt in range(1, delivery.MAX_ATTEMPTS):
        assert delivery.send_pending() == "1 retry"
        assert delivery.send_pending() == "nothing due"  # waiting out the back-off
        dispatch.refresh_from_db()
        assert (dispatch.state, dispatch.attempts) == (Dispatch.State.PENDING, attempt)
        clock.shift(delivery.retry_delay(attempt) + timedelta(seconds=1))
    assert delivery.send_pending() == "1 failed"
    dispatch.refresh_from_db()
    assert (dispatch.state, dispatch.attempts) == (Dispatch.State.FAILED, delivery.MAX_ATTEMPTS)
    clock.shift(timedelta(days=1))
    assert delivery.send_pending() == "nothing due"


def test_a_refused_address_is_given_up_at_once(units, staff, clock, settings):
    settings.EMAIL_BACKEND = "tests.notify.test_delivery.RefusingBackend"
    failed_referral(units)
    assert delivery.send_pending() == "1 failed"
    assert Dispatch.objects.get().state == Dispatch.State.FAILED


def test_an_address_removed_before_sending_fails_the_dispatch(units, staff, clock):
    failed_referral(units)
    staff["head"].email = ""
    staff["head"].save(update_fields=["email"])
    assert delivery.send_pending() == "1 failed"
    assert mail.outbox == []


# --- a real mail server ---------------------------------------------------------------------

class Mailbox:
    """aiosmtpd handler: keeps every message as it arrived on the wire."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append(envelope)
        return "250 Message accepted"


@pytest.fixture
def smtp(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_TIMEOUT = False, "", 5
    yield mailbox
    controller.stop()


def test_emails_go_through_a_real_mail_server_and_carry_no_content(units, staff, clock, smtp):
    everything_on(staff["officer"])
    staff_channel_log(unit=units["DG"], channel=IntakeChannel.LETTER,
                      kind=ComplaintKind.COMPLAINT, received_at=MORNING,
                      content=Content(body=f"{CANARY} body",
                                      reporter={"name": f"{CANARY} name"}),
                      logged_by=staff["clerk"])
    failed_referral(units)
    assert delivery.send_pending() == "3 sent"  # two emails and the officer's text
    assert sorted(e.rcpt_tos[0] for e in smtp.received) == [
        "head@shugel.example", "officer@shugel.example"]
    for envelope in smtp.received:
        wire = envelope.content.decode("ascii", errors="replace")
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = message.get_body(("plain",)).get_content()
        assert CANARY not in wire and CANARY not in text and "DG-2026-00001" not in text
        assert CENTRE_LINK in text
        assert message["Message-ID"].startswith("<notify-")


# --- schedules ------------------------------------------------------------------------------

def test_the_dispatch_and_digest_schedules_exist_after_migrate():
    sweep = Schedule.objects.get(name="notification dispatch")
    assert (sweep.func, sweep.schedule_type, sweep.minutes) == (
        "notify.tasks.send_pending", Schedule.MINUTES, 1)
    digest = Schedule.objects.get(name="notification digest")
    assert (digest.func, digest.schedule_type) == ("notify.tasks.send_digests", Schedule.DAILY)
    local = timezone.localtime(digest.next_run, UB)
    assert (local.hour, local.minute) == (17, 0)


def test_migrating_again_does_not_move_the_planned_digest():
    from notify.schedules import ensure_schedules

    planned = timezone.now() + timedelta(hours=3)
    Schedule.objects.filter(name="notification digest").update(next_run=planned)
    ensure_schedules()
    assert Schedule.objects.get(name="notification digest").next_run == planned
    assert Schedule.objects.filter(name__startswith="notification").count() == 2
