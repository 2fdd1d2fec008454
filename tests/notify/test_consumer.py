"""The staff websocket (notify.consumers): who is refused, who hears what, and that each
notification arrives once whether it comes by the channel layer or from the database.

These run the real ASGI application (origin check, session and auth middleware) through
channels' WebsocketCommunicator. The database is shared with the consumer's threads, so the
tests are transactional.
"""

import json
import logging
import os
import threading

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.logging import Every
from intake.models import Complaint, Recusal
from intake.services import Content, web_report_submit
from notify import consumers, push
from notify.events import emit
from notify.models import Kind, Notification
from org.models import Role

pytestmark = pytest.mark.django_db(transaction=True)

CANARY = "CANARY-7f3a-хээл-хахууль"
REPORTER = "Батбаяр Дорж"
WAIT = 3  # seconds a frame that should come is waited for


def session_cookie(user, *, second_factor: bool = True) -> bytes:
    """The cookie header of a browser that signed in as `user` (with the code from their
    authenticator, unless `second_factor` is false)."""
    client = Client()
    client.force_login(user)
    if second_factor:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
        session.save()
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={value}".encode()


def socket(cookie: bytes | None = None, query: str = "") -> WebsocketCommunicator:
    from config.asgi import application

    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if cookie:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, f"/ws/notifications/{query}", headers=headers)


async def refusal(cookie: bytes | None, query: str = "") -> int | None:
    """The close code a socket is refused with, or None if it was accepted."""
    communicator = socket(cookie, query)
    connected, code = await communicator.connect(timeout=WAIT)
    if connected:
        await communicator.disconnect()
        return None
    return code


async def frames(communicator, quiet: float = 0.6) -> list[dict]:
    """Every frame until none comes for `quiet` seconds."""
    found = []
    while not await communicator.receive_nothing(timeout=quiet):
        found.append(json.loads(await communicator.receive_from()))
    return found


def complaint_with_canary(unit) -> Complaint:
    return web_report_submit(
        unit=unit, kind="complaint", submission_token="t" * 32, language="mn",
        content=Content(body=f"{CANARY}: 2-р цонхны ажилтан мөнгө нэхсэн.",
                        reporter={"name": REPORTER, "phone": "+97699112233"}),
    ).complaint


def committed_emit(kind, unit, complaint=None, **options):
    subject = {"complaint": complaint.pk, "reference": complaint.reference} if complaint else {}
    with transaction.atomic():
        return emit(kind, unit=unit, subject=subject, **options)


def ids_of(found: list[dict]) -> list[int]:
    return [frame["notification"]["id"] for frame in found if frame["type"] == "notification"]


# --- who is refused -------------------------------------------------------------------------

def test_anonymous_visitor_is_refused():
    assert async_to_sync(refusal)(None) == consumers.NOT_SIGNED_IN


def test_staff_without_the_second_factor_is_refused(personas):
    assert settings.REQUIRE_2FA
    cookie = session_cookie(personas["officer"], second_factor=False)
    assert async_to_sync(refusal)(cookie) == consumers.NOT_SIGNED_IN


def test_a_device_of_someone_else_does_not_count_as_the_second_factor(personas):
    client = Client()
    client.force_login(personas["officer"])
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(
        user=personas["head"]).persistent_id
    session.save()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode()
    assert async_to_sync(refusal)(cookie) == consumers.NOT_SIGNED_IN


def test_a_person_with_no_role_anywhere_is_refused(units):
    from tests.conftest import make_staff

    stranger = make_staff("stranger", units["DG"], Role.OFFICER)
    stranger.memberships.all().delete()
    assert async_to_sync(refusal)(session_cookie(stranger)) == consumers.NO_ROLE


def test_officer_is_refused_the_unit_of_another_department_and_a_unit_that_does_not_exist(
    personas
):
    cookie = session_cookie(personas["officer"])
    assert async_to_sync(refusal)(cookie, "?unit=DU") == consumers.NO_SUCH_UNIT
    assert async_to_sync(refusal)(cookie, "?unit=NOPE") == consumers.NO_SUCH_UNIT
    assert async_to_sync(refusal)(cookie, "?unit=DG") is None
    assert async_to_sync(refusal)(cookie) is None


def test_every_role_of_the_unit_may_open_its_socket(personas):
    for role in Role:
        assert async_to_sync(refusal)(session_cookie(personas[role.value]), "?unit=DG") is None


def test_a_page_of_another_site_is_refused(personas):
    from config.asgi import application

    cookie = session_cookie(personas["officer"])

    async def scenario():
        communicator = WebsocketCommunicator(
            application, "/ws/notifications/",
            headers=[(b"origin", b"http://evil.example"), (b"cookie", cookie)])
        connected, _ = await communicator.connect(timeout=WAIT)
        return connected

    assert async_to_sync(scenario)() is False


# --- who hears what -------------------------------------------------------------------------

def test_recused_officer_hears_nothing_of_the_complaint_and_the_head_hears_it_once(
    personas, units, settings
):
    settings.NOTIFY_POLL_SECONDS = 0.1  # both paths see the notification
    complaint = complaint_with_canary(units["DG"])
    Recusal.objects.create(complaint=complaint, user=personas["officer"])
    officer, head = session_cookie(personas["officer"]), session_cookie(personas["head"])

    async def scenario():
        sockets = [socket(officer, "?unit=DG"), socket(head, "?unit=DG")]
        for communicator in sockets:
            assert (await communicator.connect(timeout=WAIT))[0]
        event = await database_sync_to_async(committed_emit)(
            Kind.REPORTER_MESSAGE, units["DG"], complaint)
        heard = [await frames(communicator) for communicator in sockets]
        for communicator in sockets:
            await communicator.disconnect()
        return event, heard

    event, (officer_heard, head_heard) = async_to_sync(scenario)()
    assert officer_heard == []
    notification = Notification.objects.get(event=event)
    assert notification.recipient == personas["head"]
    assert ids_of(head_heard) == [notification.pk]
    frame = head_heard[0]["notification"]
    assert frame["kind"] == Kind.REPORTER_MESSAGE
    assert frame["subject"] == {"complaint": complaint.pk, "reference": complaint.reference}


def test_outsider_of_another_department_hears_nothing(personas, units, settings):
    settings.NOTIFY_POLL_SECONDS = 0.1
    complaint = complaint_with_canary(units["DG"])
    cookie = session_cookie(personas["outsider"])

    async def scenario():
        communicator = socket(cookie)
        assert (await communicator.connect(timeout=WAIT))[0]
        await database_sync_to_async(committed_emit)(Kind.REPORTER_MESSAGE, units["DG"],
                                                     complaint)
        heard = await frames(communicator)
        await communicator.disconnect()
        return heard

    assert async_to_sync(scenario)() == []


def test_no_frame_holds_what_a_complaint_says_or_who_said_it(personas, units, settings):
    settings.NOTIFY_POLL_SECONDS = 0.1
    cookie = session_cookie(personas["head"])

    async def scenario():
        communicator = socket(cookie, "?unit=DG")
        assert (await communicator.connect(timeout=WAIT))[0]
        # The web form itself emits complaint.logged after commit.
        complaint = await database_sync_to_async(complaint_with_canary)(units["DG"])
        await database_sync_to_async(committed_emit)(Kind.REPORTER_MESSAGE, units["DG"],
                                                     complaint)
        await communicator.send_json_to({"type": "catch_up", "since": 0})
        raw = []
        while not await communicator.receive_nothing(timeout=0.6):
            raw.append(await communicator.receive_from())
        await communicator.disconnect()
        return complaint, raw

    complaint, raw = async_to_sync(scenario)()
    kinds = {json.loads(text)["notification"]["kind"] for text in raw
             if json.loads(text)["type"] == "notification"}
    assert kinds == {Kind.COMPLAINT_LOGGED, Kind.REPORTER_MESSAGE}
    text = "".join(raw)
    assert complaint.reference in text
    for secret in (CANARY, "хээл", REPORTER, "99112233", "нэхсэн"):
        assert secret not in text


def test_each_notification_arrives_once_when_push_poll_and_catch_up_all_see_it(
    personas, units, settings
):
    settings.NOTIFY_POLL_SECONDS = 0.05
    cookie = session_cookie(personas["head"])

    async def scenario():
        communicator = socket(cookie)
        assert (await communicator.connect(timeout=WAIT))[0]
        for _ in range(3):
            await database_sync_to_async(committed_emit)(Kind.COMPLAINT_TRIAGED, units["DG"])
        await communicator.send_json_to({"type": "catch_up", "since": 0})
        heard = await frames(communicator)
        await communicator.disconnect()
        return heard

    heard = async_to_sync(scenario)()
    expected = list(Notification.objects.filter(recipient=personas["head"])
                    .order_by("pk").values_list("pk", flat=True))
    assert len(expected) == 3
    assert ids_of(heard) == expected
    assert heard[-1] == {"type": "unread", "count": 3}


def test_catch_up_sends_what_was_missed_oldest_first_then_the_unread_count(
    personas, units
):
    before = committed_emit(Kind.COMPLAINT_TRIAGED, units["DG"])
    seen = Notification.objects.get(event=before).pk
    missed = [Notification.objects.get(event=committed_emit(Kind.CLOCK_OVERDUE, units["DG"])).pk
              for _ in range(2)]
    cookie = session_cookie(personas["head"])

    async def scenario():
        communicator = socket(cookie)
        assert (await communicator.connect(timeout=WAIT))[0]
        quiet_before = await frames(communicator, quiet=0.3)  # what existed is not re-sent
        await communicator.send_json_to({"type": "catch_up", "since": seen})
        heard = await frames(communicator)
        await communicator.send_json_to({"type": "catch_up", "since": seen})
        again = await frames(communicator)
        await communicator.send_to("not json")
        await communicator.send_json_to({"type": "catch_up", "since": "everything"})
        after_nonsense = await frames(communicator)
        await communicator.disconnect()
        return quiet_before, heard, again, after_nonsense

    quiet_before, heard, again, after_nonsense = async_to_sync(scenario)()
    assert quiet_before == []
    assert ids_of(heard) == missed
    assert heard[-1] == {"type": "unread", "count": 3}
    assert again == [{"type": "unread", "count": 3}]  # never the same notification twice
    assert after_nonsense == [{"type": "unread", "count": 3}]


def test_a_deactivated_person_is_disconnected_at_the_next_poll(personas, settings):
    settings.NOTIFY_POLL_SECONDS = 0.05
    officer = personas["officer"]
    cookie = session_cookie(officer)

    async def scenario():
        communicator = socket(cookie)
        assert (await communicator.connect(timeout=WAIT))[0]
        officer.is_active = False
        await database_sync_to_async(officer.save)(update_fields=["is_active"])
        closed = await communicator.receive_output(timeout=WAIT)
        await communicator.wait()
        return closed

    assert async_to_sync(scenario)() == {"type": "websocket.close",
                                         "code": consumers.NOT_SIGNED_IN}


# --- the database path: notifications made in another process -------------------------------

def test_a_notification_made_where_the_channel_layer_cannot_reach_arrives_by_polling(
    personas, units, settings, monkeypatch
):
    """The task worker of the embedded deployment has its own in-process layer: what it
    pushes reaches no page. Here another thread, with its own database connection and its
    push going nowhere, plays the worker."""
    settings.NOTIFY_POLL_SECONDS = 0.1
    monkeypatch.setattr(push, "push", lambda ids: 0)
    cookie = session_cookie(personas["head"])
    made = {}

    def worker():
        try:
            made["event"] = committed_emit(Kind.CLOCK_OVERDUE, units["DG"])
        finally:
            connection.close()

    async def scenario():
        communicator = socket(cookie)
        assert (await communicator.connect(timeout=WAIT))[0]
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        frame = await communicator.receive_json_from(timeout=WAIT)
        quiet = await frames(communicator, quiet=0.4)
        await communicator.disconnect()
        return frame, quiet

    frame, quiet = async_to_sync(scenario)()
    notification = Notification.objects.get(event=made["event"])
    assert frame["notification"]["id"] == notification.pk
    assert quiet == []


def test_with_polling_off_a_page_waits_for_the_layer(personas, units, settings, monkeypatch):
    settings.NOTIFY_POLL_SECONDS = 0
    monkeypatch.setattr(push, "push", lambda ids: 0)
    cookie = session_cookie(personas["head"])

    async def scenario():
        communicator = socket(cookie)
        assert (await communicator.connect(timeout=WAIT))[0]
        await database_sync_to_async(committed_emit)(Kind.CLOCK_OVERDUE, units["DG"])
        heard = await frames(communicator, quiet=0.5)
        await communicator.disconnect()
        return heard

    assert async_to_sync(scenario)() == []


# --- Redis ----------------------------------------------------------------------------------

needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"),
                                 reason="REDIS_URL not set: the Redis channel layer is not used")
DEAD_REDIS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                          "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"], "prefix": "shugel"}}}


@needs_redis
def test_with_redis_a_notification_pushed_from_sync_code_reaches_the_page(
    personas, units, settings
):
    assert "redis" in settings.CHANNEL_LAYERS["default"]["BACKEND"].lower()
    settings.NOTIFY_POLL_SECONDS = 0  # only the layer can bring it
    cookie = session_cookie(personas["head"])

    async def scenario():
        communicator = socket(cookie, "?unit=DG")
        assert (await communicator.connect(timeout=WAIT))[0]
        event = await database_sync_to_async(committed_emit)(Kind.CLOCK_OVERDUE, units["DG"])
        heard = await frames(communicator)
        await communicator.disconnect()
        return event, heard

    event, heard = async_to_sync(scenario)()
    assert ids_of(heard) == [Notification.objects.get(event=event).pk]


def test_with_redis_down_push_neither_fails_nor_floods_the_log(personas, units, settings,
                                                               caplog, monkeypatch):
    settings.CHANNEL_LAYERS = DEAD_REDIS
    monkeypatch.setattr(push, "_outage_log", Every(300))
    with caplog.at_level(logging.ERROR, logger="notify.push"):
        for _ in range(20):
            committed_emit(Kind.COMPLAINT_TRIAGED, units["DG"])  # push runs after commit
        ids = list(Notification.objects.values_list("pk", flat=True))
        assert push.push(ids) == 0
    assert Notification.objects.count() == 20
    assert len([r for r in caplog.records if r.name == "notify.push"]) == 1


def test_with_redis_down_a_page_still_connects_and_catches_up_by_polling(
    personas, units, settings, caplog, monkeypatch
):
    settings.CHANNEL_LAYERS = DEAD_REDIS
    settings.NOTIFY_POLL_SECONDS = 0  # as with Redis; the socket polls once the layer fails
    monkeypatch.setattr(consumers, "FALLBACK_POLL_SECONDS", 0.1)
    monkeypatch.setattr(consumers, "_outage_log", Every(300))
    missed = committed_emit(Kind.COMPLAINT_TRIAGED, units["DG"])
    since = Notification.objects.get(event=missed).pk - 1
    cookie = session_cookie(personas["head"])

    async def scenario():
        pages = [socket(cookie, "?unit=DG") for _ in range(3)]
        for communicator in pages:
            assert (await communicator.connect(timeout=WAIT))[0]
        await pages[0].send_json_to({"type": "catch_up", "since": since})
        caught_up = await frames(pages[0])
        event = await database_sync_to_async(committed_emit)(Kind.CLOCK_OVERDUE, units["DG"])
        polled = await pages[1].receive_json_from(timeout=WAIT)
        for communicator in pages:
            await communicator.disconnect()
        return caught_up, event, polled

    # Counted on the logger itself: the root's capture can miss a line when the suite runs
    # on several cores (another test's handlers), and this test is about the line.
    lines = Lines()
    logger = logging.getLogger("notify.consumers")
    logger.addHandler(lines)
    try:
        with caplog.at_level(logging.ERROR, logger="notify.consumers"):
            caught_up, event, polled = async_to_sync(scenario)()
    finally:
        logger.removeHandler(lines)
    assert ids_of(caught_up) == [since + 1]
    assert polled["notification"]["id"] == Notification.objects.get(event=event).pk
    assert len(lines.records) == 1


class Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def test_nobody_is_logged_by_address_or_browser(personas, caplog):
    # An address and a browser of their own, so that the Redis client's lines about the
    # server it talks to (127.0.0.1:6379) are not mistaken for a client's.
    address, agent = "198.51.100.23", "Mozilla/5.0 (canary-browser-7731)"

    async def visit(cookie):
        communicator = socket(cookie)
        communicator.scope["client"] = [address, 50123]
        communicator.scope["headers"].append((b"user-agent", agent.encode()))
        connected, _code = await communicator.connect(timeout=WAIT)
        if connected:
            await communicator.disconnect()

    cookie = session_cookie(personas["officer"])
    with caplog.at_level(logging.DEBUG):
        async_to_sync(visit)(cookie)
        async_to_sync(visit)(None)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert address not in text and "canary-browser" not in text



def test_uvicorn_does_not_log_the_address_of_a_websocket_client(caplog):
    uvicorn_log = logging.getLogger("uvicorn.error")
    with caplog.at_level(logging.INFO, logger="uvicorn.error"):
        uvicorn_log.info('%s - "WebSocket %s" [accepted]', "203.0.113.9:50412",
                         "/ws/notifications/?unit=DG")
        uvicorn_log.info('%s - "WebSocket %s" 403', "203.0.113.9:50412", "/ws/notifications/")
    assert "203.0.113.9" not in caplog.text
    assert '- - "WebSocket /ws/notifications/?unit=DG" [accepted]' in caplog.text


def test_work_done_by_someone_else_updates_the_open_pages_unread_count(personas, units,
                                                                        settings):
    """The head's page shows 1 unread; the officer triages, which settles it; the head's
    page is told its count is now 0 without reloading."""
    settings.NOTIFY_POLL_SECONDS = 0
    complaint = complaint_with_canary(units["DG"])
    cookie = session_cookie(personas["head"])

    async def scenario():
        communicator = socket(cookie)
        assert (await communicator.connect(timeout=WAIT))[0]
        await communicator.send_json_to({"type": "catch_up", "since": 0})
        before = await frames(communicator)
        await database_sync_to_async(settle_in_a_transaction)(units["DG"], complaint)
        after = await frames(communicator)
        await communicator.disconnect()
        return before, after

    before, after = async_to_sync(scenario)()
    assert before[-1] == {"type": "unread", "count": 1}
    assert after == [{"type": "unread", "count": 0}]


def settle_in_a_transaction(unit, complaint):
    from notify.events import settle

    with transaction.atomic():
        return settle(Kind.COMPLAINT_TRIAGED, unit=unit, subject={"complaint": complaint.pk})
