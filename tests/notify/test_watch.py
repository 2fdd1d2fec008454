"""The process's one watcher (notify.watch): what the task worker notifies reaches the open
pages of the people it concerns and no one else's, without each page reading the table.

As in test_consumer, the real ASGI application runs through WebsocketCommunicator, and a
thread with its own database connection and its push going nowhere plays the task worker.
"""

import sqlite3
import threading

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.db import connection

from intake.models import Recusal
from notify import consumers, push, watch
from notify.models import Kind, Notification
from tests.notify.test_consumer import (
    WAIT,
    committed_emit,
    complaint_with_canary,
    frames,
    ids_of,
    session_cookie,
    socket,
)

pytestmark = pytest.mark.django_db(transaction=True)


def in_the_worker(make):
    """Runs `make` as the task worker would: another connection, nothing pushed."""
    made = {}

    def work():
        try:
            made["value"] = make()
        finally:
            connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    return made["value"]


@pytest.fixture
def worker_pushes_nothing(monkeypatch, settings):
    settings.NOTIFY_POLL_SECONDS = 0.1
    monkeypatch.setattr(push, "push", lambda ids: 0)


def test_the_change_signal_moves_only_when_another_connection_commits(tmp_path):
    path = tmp_path / "signal.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE t (n INTEGER)")
    signal = watch.ChangeSignal(str(path))
    try:
        assert signal.seconds == watch.WATCH_SECONDS < watch.QUERY_SECONDS
        assert signal.changed()  # the first look only sets the starting point
        assert not signal.changed()
        writer.execute("INSERT INTO t VALUES (1)")
        assert signal.changed()
        assert not signal.changed()
    finally:
        signal.close()
        writer.close()


def test_without_a_database_file_every_look_may_be_a_change():
    signal = watch.ChangeSignal(None)
    assert signal.changed() and signal.changed()
    assert signal.seconds == watch.QUERY_SECONDS  # each look is a query


def test_the_workers_notification_reaches_only_the_people_it_concerns(
    personas, units, worker_pushes_nothing
):
    complaint = complaint_with_canary(units["DG"])
    Recusal.objects.create(complaint=complaint, user=personas["officer"])
    listeners = ("head", "officer", "outsider")
    cookies = {persona: session_cookie(personas[persona]) for persona in listeners}

    async def scenario():
        pages = {persona: socket(cookie) for persona, cookie in cookies.items()}
        for page in pages.values():
            assert (await page.connect(timeout=WAIT))[0]
        event = in_the_worker(lambda: committed_emit(Kind.REPORTER_MESSAGE, units["DG"],
                                                     complaint))
        heard = {persona: await frames(page) for persona, page in pages.items()}
        for page in pages.values():
            await page.disconnect()
        return event, heard

    event, heard = async_to_sync(scenario)()
    told = Notification.objects.get(event=event, recipient=personas["head"])
    assert ids_of(heard["head"]) == [told.pk]
    assert heard["officer"] == [] and heard["outsider"] == []


def test_one_watcher_serves_every_page_and_the_pages_do_not_read_the_table(
    personas, units, worker_pushes_nothing, monkeypatch
):
    reads = []
    original = consumers.notifications_after

    async def counted(user_id, after, limit=consumers.CATCH_UP_LIMIT):
        reads.append(user_id)
        return await original(user_id, after, limit)

    monkeypatch.setattr(consumers, "notifications_after", counted)
    cookies = [session_cookie(personas[persona]) for persona in ("head", "officer", "clerk")]

    async def scenario():
        pages = [socket(cookie, "?unit=DG") for cookie in cookies * 2]
        for page in pages:
            assert (await page.connect(timeout=WAIT))[0]
        running = watch.watcher()
        opened = (len(running.pages), sum(len(found) for found in running.pages.values()))
        reads_on_connect = len(reads)
        for _ in range(3):
            in_the_worker(lambda: committed_emit(Kind.CLOCK_OVERDUE, units["DG"],
                                                 roles=["head", "officer", "clerk"]))
        heard = [await frames(page) for page in pages]
        reads_later = len(reads) - reads_on_connect
        for page in pages:
            await page.disconnect()
        return opened, reads_on_connect, reads_later, heard, running

    opened, reads_on_connect, reads_later, heard, running = async_to_sync(scenario)()
    assert opened == (3, 6)  # three people, two pages each
    assert reads_on_connect == 6  # each page's one look back, when it opens
    assert reads_later == 0
    assert all(len(ids_of(found)) == 3 for found in heard)
    assert running.pages == {} and running.task is None  # stops with its last page


def test_the_watcher_does_not_send_again_what_this_process_pushed(
    personas, units, settings, monkeypatch
):
    settings.NOTIFY_POLL_SECONDS = 0.05
    sent_by_watcher = []
    original = watch.notifications_between.func

    def recorded(after, upto, users):
        reached, found = original(after, upto, users)
        sent_by_watcher.extend(item["id"] for _recipient, item in found)
        return reached, found

    monkeypatch.setattr(watch, "notifications_between", database_sync_to_async(recorded))
    cookie = session_cookie(personas["head"])

    async def scenario():
        page = socket(cookie)
        assert (await page.connect(timeout=WAIT))[0]
        await database_sync_to_async(committed_emit)(Kind.COMPLAINT_TRIAGED, units["DG"])
        heard = await frames(page)
        await page.disconnect()
        return heard

    heard = async_to_sync(scenario)()
    assert len(ids_of(heard)) == 1
    assert sent_by_watcher == []


def test_a_page_admitted_before_the_watcher_passed_its_notification_still_gets_it(
    personas, units, worker_pushes_nothing, monkeypatch
):
    """The watcher reads only for the people with a page open. A page admitted just before a
    notification was made, and joined to the watcher after it went past, looks back itself."""
    head, officer = session_cookie(personas["head"]), session_cookie(personas["officer"])
    before = watch.newest_notification_id()
    original = consumers.admit.func

    def admitted_earlier(scope, unit_code):
        admission = original(scope, unit_code)
        admission.newest_id = before  # as if admitted before the notification was made
        return admission

    async def scenario():
        first = socket(officer)  # keeps the watcher running, reading for the officer only
        assert (await first.connect(timeout=WAIT))[0]
        in_the_worker(lambda: committed_emit(Kind.CLOCK_OVERDUE, units["DG"]))
        await frames(first, quiet=0.5)  # several ticks: the watcher is past it
        monkeypatch.setattr(consumers, "admit", database_sync_to_async(admitted_earlier))
        second = socket(head)
        assert (await second.connect(timeout=WAIT))[0]
        heard = await frames(second)
        await first.disconnect()
        await second.disconnect()
        return heard

    heard = async_to_sync(scenario)()
    made = Notification.objects.get(recipient=personas["head"], pk__gt=before)
    assert ids_of(heard) == [made.pk]


def test_the_change_signal_never_creates_a_database_file(tmp_path):
    path = tmp_path / "absent.sqlite3"
    signal = watch.ChangeSignal(str(path))
    assert signal.changed() and signal.changed()
    assert not path.exists()


def test_what_a_failed_push_did_not_send_is_left_to_the_watcher(personas, units, settings):
    from tests.notify.test_consumer import DEAD_REDIS

    settings.CHANNEL_LAYERS = DEAD_REDIS
    event = committed_emit(Kind.COMPLAINT_TRIAGED, units["DG"])  # its push fails after commit
    ids = sorted(event.notifications.values_list("pk", flat=True))
    assert ids and push.push(ids) == 0
    assert push.not_pushed_here(ids) == ids
    assert not push.all_pushed_here(ids[0] - 1, ids[-1])
