"""One watcher per server process for notifications the channel layer did not bring.

In the embedded deployment the channel layer lives inside the web process, so what the task
worker notifies (a delivery, a clock) is pushed to no page. Rather than every open page
reading the notifications table on its own, each server process keeps one watcher for all
its pages. Every WATCH_SECONDS it looks at a change signal that costs next to nothing:
SQLite's `PRAGMA data_version` on a connection of its own, which moves whenever any other
connection commits (5 us; the tick itself costs the event loop about 0.25 ms of CPU, so a
look every 0.02 s is about 1 % of a core while a page is open). Only when it moved does the
watcher read, in one query, the new notifications of the people with a page open in this
process, and hand each to its person's group on the in-process layer, exactly as notify.push
does after a commit here. What this process pushed itself is skipped. A database without
that signal (PostgreSQL, an in-memory test database) is asked for its newest notification id
instead, every QUERY_SECONDS.

The rules stay those of the layer path: a notification goes only to its recipient's own
group (notify.push.user_group), and a row exists for someone exactly when they may be told
(notify.events). Every NOTIFY_POLL_SECONDS the watcher also checks, in one query, that the
people with a page open still hold an active role, and wakes the pages of anyone who lost it:
each checks its own admission again and closes (notify.consumers).
"""

import asyncio
import logging
import sqlite3
import time
import weakref
from urllib.parse import quote

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connections

from notify import push
from notify.models import Notification
from org.models import Membership

logger = logging.getLogger(__name__)

# A notification waits for at most one tick: with the tick at 0.02 s, one found by the
# watcher arrives within 2x the time of one pushed after a commit here (bench/fanout.py).
WATCH_SECONDS = 0.02
# Without a change signal every tick is a query, so the ticks are further apart.
QUERY_SECONDS = 0.05
# At most this many notifications are read in one go; more wait for the next tick.
BATCH = 1000


class ChangeSignal:
    """Whether the database may have changed since the last look.

    With a SQLite file, `PRAGMA data_version` on a connection used for nothing else: its
    value moves when another connection commits. It is read in the event loop itself: under
    WAL it takes no lock a writer holds, and with no busy timeout it could only fail, never
    wait; a failure counts as a change. Elsewhere every look says "maybe".
    """

    def __init__(self, path: str | None):
        self.connection = None
        self.version = None
        self.seconds = QUERY_SECONDS
        if path:
            try:
                # mode=rw: never creates the file (core.sqlite3 makes it, owner-only).
                self.connection = sqlite3.connect(
                    f"file:{quote(path)}?mode=rw", uri=True, timeout=0,
                    isolation_level=None, check_same_thread=False)
                self.seconds = WATCH_SECONDS
            except sqlite3.Error:
                self.connection = None

    @classmethod
    def for_database(cls, alias: str = "default") -> "ChangeSignal":
        found = connections.settings[alias]
        name = str(found.get("NAME") or "")
        on_file = ("sqlite" in found.get("ENGINE", "") and name
                   and name != ":memory:" and not name.startswith("file:"))
        return cls(name if on_file else None)

    def changed(self) -> bool:
        if self.connection is None:
            return True
        try:
            # fetchall: the statement runs to its end, so no read stays open between looks.
            version = self.connection.execute("PRAGMA data_version").fetchall()[0][0]
        except sqlite3.Error:
            return True
        moved, self.version = version != self.version, version
        return moved

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def newest_notification_id() -> int:
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


newest_id = database_sync_to_async(newest_notification_id)


@database_sync_to_async
def notifications_between(after: int, upto: int,
                          users: list[int]) -> tuple[int, list[tuple[int, dict]]]:
    """The notifications of `users` with ids in (after, upto], oldest first and at most BATCH,
    as (recipient, payload), leaving out those this process pushed itself; with the id they
    reach up to (`upto` unless the batch was full)."""
    found = list(Notification.objects
                 .filter(pk__gt=after, pk__lte=upto, recipient_id__in=users)
                 .order_by("pk").values_list("pk", flat=True)[:BATCH])
    reached = found[-1] if len(found) == BATCH else upto
    wanted = push.not_pushed_here(found)
    if not wanted:
        return reached, []
    rows = (Notification.objects.filter(pk__in=wanted)
            .select_related("event", "unit").order_by("pk"))
    return reached, [(row.recipient_id, push.payload(row)) for row in rows]


@database_sync_to_async
def still_members(users: list[int]) -> set[int]:
    return set(Membership.objects.active().filter(user_id__in=users)
               .values_list("user_id", flat=True))


class Watcher:
    """The pages of one event loop (one server process) and the task that watches for them.
    It runs while at least one page is open."""

    def __init__(self):
        self.pages: dict[int, set] = {}
        self.task: asyncio.Task | None = None
        self.start: int | None = None

    def open(self, page, user_id: int, *, since: int) -> None:
        """Watch for `page` of `user_id`, from notification id `since` on if the watcher is
        not running yet (a page joining a running watcher catches up on its own)."""
        self.pages.setdefault(user_id, set()).add(page)
        if self.task is None or self.task.done():
            self.start = since if self.start is None else min(self.start, since)
            self.task = asyncio.create_task(self._run())

    def close(self, page, user_id: int) -> None:
        pages = self.pages.get(user_id)
        if pages is not None:
            pages.discard(page)
            if not pages:
                del self.pages[user_id]
        if not self.pages and self.task is not None:
            self.task.cancel()
            self.task = None

    async def _run(self) -> None:
        signal = ChangeSignal.for_database()
        try:
            signal.changed()  # the starting point: changes from here on count
            last, self.start = self.start or 0, None
            upto = await newest_id()
            next_check = time.monotonic() + settings.NOTIFY_POLL_SECONDS
            while self.pages:
                await asyncio.sleep(min(signal.seconds, settings.NOTIFY_POLL_SECONDS or 1))
                # A batch that was full left the rest for this tick, moved signal or not.
                if last < upto or signal.changed():
                    last, upto = await self._deliver(last)
                if time.monotonic() >= next_check:
                    await self._check_people()
                    next_check = time.monotonic() + settings.NOTIFY_POLL_SECONDS
        except asyncio.CancelledError:
            pass
        except Exception:  # noqa: BLE001 - the pages go back to polling on their own
            logger.exception("the notification watcher stopped; pages poll on their own")
            self._release_pages()
        finally:
            signal.close()

    async def _deliver(self, last: int) -> tuple[int, int]:
        """Sends what is new since `last`; returns the id reached and the newest id."""
        upto = await newest_id()
        if upto <= last or not self.pages or push.all_pushed_here(last, upto):
            return max(last, upto), upto
        reached, found = await notifications_between(last, upto, list(self.pages))
        layer = get_channel_layer()
        for recipient, item in found:
            await layer.group_send(push.user_group(recipient),
                                   {"type": "notify.message", "notification": item})
        return reached, upto

    async def _check_people(self) -> None:
        users = list(self.pages)
        if not users:
            return
        allowed = await still_members(users)
        for user_id in users:
            if user_id not in allowed:
                for page in list(self.pages.get(user_id, ())):
                    page.wake.set()

    def _release_pages(self) -> None:
        for pages in list(self.pages.values()):
            for page in list(pages):
                page.unwatched()
        self.pages.clear()


_watchers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Watcher]" = (
    weakref.WeakKeyDictionary())


def watcher() -> Watcher:
    """This event loop's watcher (one per server process; tests run several loops)."""
    loop = asyncio.get_running_loop()
    found = _watchers.get(loop)
    if found is None:
        found = _watchers[loop] = Watcher()
    return found
