"""What one server process takes on at once, in front of Django (config/asgi.py).

A request that declares a body larger than any Shugel accepts is refused before a byte of it
is read; at most settings.MAX_REQUESTS_IN_FLIGHT requests run at once and the others wait
in the event loop, posts ahead of pages; large bodies are read before their request takes
its turn, within a budget of bytes (settings.BODY_BUDGET_BYTES), and one that stalls is
dropped.
tests/faults/test_requests_in_flight.py and test_body_budget.py hold it to that.
"""

import asyncio
import collections

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_noop


def _in_page_language(path: str, message: str) -> str:
    with translation.override("en" if path.startswith("/en/") else settings.LANGUAGE_CODE):
        return translation.gettext(message)


def _too_large_text(path: str) -> str:
    return _in_page_language(path, gettext_noop(
        "The files are larger than allowed (5 files of 10 MB each). Go back, attach "
        "smaller files and send again. Nothing was saved."))


def _stalled_text(path: str) -> str:
    return _in_page_language(path, gettext_noop(
        "The connection became too slow to finish sending. Go back and send again, if you "
        "can from a better connection. Nothing was saved."))


def _too_many_text(path: str) -> str:
    return _in_page_language(path, gettext_noop(
        "Too many requests from your connection are open at once. Wait a moment and try "
        "again. Nothing was saved."))


async def _answer(send, status: int, text: str, headers=()) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"cache-control", b"no-store"), *headers]})
    await send({"type": "http.response.body", "body": text.encode()})


async def _answer_too_large(scope, send) -> None:
    await _answer(send, 413, _too_large_text(scope["path"]))


def refuse_oversized_bodies(app):
    """Answers 413 to a request that declares a body larger than any Shugel accepts, before
    a byte of it is read: Django would otherwise buffer it, spilling to a temporary file.
    (A body sent in chunks, without a length, is counted as it arrives: see below.)"""

    async def guarded(scope, receive, send):
        if scope["type"] == "http":
            for name, value in scope.get("headers", ()):
                if name == b"content-length":
                    try:
                        too_large = int(value) > settings.MAX_REQUEST_BYTES
                    except ValueError:
                        too_large = True
                    if too_large:
                        await _answer_too_large(scope, send)
                        return
        await app(scope, receive, send)

    return guarded


# Smaller bodies (every form without files: 10,000 characters of Cyrillic are about 20 KB)
# take no budget, so at most this much each; 300 connections each sending a body of a
# megabyte less one byte took 305 to 307 MB when the line was at 1 MB.
LARGE_BODY = 64 * 1024
MIN_BYTES_PER_SECOND = 8 * 1024


class BodyBudget:
    """The bytes of large request bodies that one process holds at once
    (settings.BODY_BUDGET_BYTES). A request reserves its whole declared length before a byte
    of its body is read, and gives it back when it has been answered; one that does not fit
    waits, unread, in order of arrival. Reserving the whole length at once means no two
    half-read bodies can wait for each other's bytes."""

    def __init__(self, total: int):
        self.total, self.free = total, total
        self._changed = None

    async def take(self, size: int) -> None:
        if self._changed is None:  # made inside the server's event loop
            self._changed = asyncio.Condition()
        async with self._changed:
            await self._changed.wait_for(lambda: self.free >= size)
            self.free -= size

    async def give(self, size: int) -> None:
        async with self._changed:
            self.free += size
            self._changed.notify_all()


def _reservation(scope) -> int:
    """What a request must reserve of the budget: its declared length when large, the
    largest body allowed when it is sent in chunks without one, else nothing."""
    headers = dict(scope.get("headers") or ())
    if b"content-length" in headers:
        length = int(headers[b"content-length"])  # refuse_oversized_bodies checked it
        return length if length >= LARGE_BODY else 0
    return settings.MAX_REQUEST_BYTES if b"transfer-encoding" in headers else 0


async def _read_body(scope, receive, send, *, watched: bool) -> list | None:
    """The request's messages up to its whole body; None when it was answered instead (too
    large, or a large body that stalls or crawls: see settings.BODY_STALL_SECONDS)."""
    arrived, size = [], 0
    loop = asyncio.get_running_loop()
    started, stall = loop.time(), settings.BODY_STALL_SECONDS
    while True:
        try:
            message = await (asyncio.wait_for(receive(), stall) if watched else receive())
        except TimeoutError:
            message = None
        elapsed = loop.time() - started
        if message is None or (watched and elapsed > stall
                               and size < MIN_BYTES_PER_SECOND * elapsed):
            await _answer(send, 408, _stalled_text(scope["path"]))
            return None
        arrived.append(message)
        size += len(message.get("body", b""))
        if size > settings.MAX_REQUEST_BYTES:  # chunked, so no length was declared
            await _answer_too_large(scope, send)
            return None
        if message["type"] != "http.request" or not message.get("more_body"):
            return arrived


# As nginx's limit_conn in deploy/nginx/shugel.conf, for a server reachable without it.
OPEN_PER_CLIENT = 32


class OpenByClient:
    """How many requests each client has open in this process, from arrival (before its
    body is read) to its answer; a client at `limit` is answered 429 at once. Clients are
    told apart by a hash of their address salted for this process (Python's own string
    hash), never the address, and one goes from the table when it has nothing open.
    Without a limit like this, one machine opening hundreds of connections and sending
    each a body it never finishes holds what the server reads ahead of each."""

    def __init__(self, limit: int):
        self.limit = limit
        self.open: dict[int, int] = {}

    @staticmethod
    def key(scope) -> int | None:
        """The client's key; None for a request with no address (a Unix socket), which
        is not counted."""
        client = scope.get("client")
        return hash(client[0]) if client else None

    def enter(self, key: int | None) -> bool:
        """Counts one more open request of `key`; False, counting nothing, when it
        already has `limit` open."""
        if key is None:
            return True
        if self.open.get(key, 0) >= self.limit:
            return False
        self.open[key] = self.open.get(key, 0) + 1
        return True

    def leave(self, key: int | None) -> None:
        if key is None:
            return
        if self.open[key] == 1:
            del self.open[key]
        else:
            self.open[key] -= 1


SENDING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SENDING_IN_A_ROW = 3


class Turns:
    """At most `limit` requests hold a turn at once; the others wait in order of arrival,
    except that a request that sends something (a report written, a decision taken: POST
    and the like) goes ahead of those that only open a page. Under load the person who
    has filled in a form waits least, and does not lose it to a timeout behind people
    merely opening one. So that a stream of posts cannot shut the pages out, a page that
    is waiting gets every (SENDING_IN_A_ROW + 1)th turn."""

    def __init__(self, limit: int):
        self.free = limit
        self.sending: collections.deque[asyncio.Future] = collections.deque()
        self.opening: collections.deque[asyncio.Future] = collections.deque()
        self.sent_in_a_row = 0

    async def take(self, sending: bool) -> None:
        if self.free and not self.sending and not self.opening:
            self.free -= 1
            return
        turn = asyncio.get_running_loop().create_future()
        waiting = self.sending if sending else self.opening
        waiting.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if not turn.cancelled():
                self.give()  # handed a turn as the client left: pass it on
            elif turn in waiting:
                waiting.remove(turn)
            raise

    def give(self) -> None:
        """A turn given back: to the next sender, or the next page when it is owed one."""
        while self.sending or self.opening:
            if self.sending and not (self.opening
                                     and self.sent_in_a_row >= SENDING_IN_A_ROW):
                turn = self.sending.popleft()
                self.sent_in_a_row += 1
            else:
                turn = self.opening.popleft()
                self.sent_in_a_row = 0
            if not turn.done():
                turn.set_result(None)
                return
        self.free += 1


async def _take_turn(scope, receive, send, app, turns: Turns, budget: BodyBudget) -> None:
    """The request's share of the budget, its body, then its turn (one_at_a_time_beyond)."""
    reserved = min(_reservation(scope), budget.total)
    if reserved:
        await budget.take(reserved)
    try:
        arrived = await _read_body(scope, receive, send, watched=bool(reserved))
        if arrived is None:
            return

        async def replay():
            return arrived.pop(0) if arrived else await receive()

        await turns.take(scope.get("method") in SENDING_METHODS)
        try:
            await app(scope, replay, send)
        finally:
            turns.give()
    finally:
        if reserved:
            await budget.give(reserved)


def one_at_a_time_beyond(limit: int, app, *, budget_bytes: int | None = None,
                         open_per_client: int | None = None):
    """Runs at most `limit` HTTP requests at once (settings.MAX_REQUESTS_IN_FLIGHT); the
    others wait in the event loop without a thread of their own, in order of arrival but
    posts first (Turns).

    A request's body is read before it takes its turn, so that a slow upload (a phone on a
    poor line, or someone sending a byte a second on purpose) holds no turn while it
    arrives. What those bodies may take of the memory is bounded by a BodyBudget
    (settings.BODY_BUDGET_BYTES), and a large body that stalls or crawls is dropped, so that
    no one holds the budget by sending slowly. A declared length over the limit never gets
    here (refuse_oversized_bodies); a body sent in chunks is counted as it arrives and
    refused once it passes the limit. One client may have at most OPEN_PER_CLIENT
    requests open here at once, from arrival to answer (OpenByClient)."""
    if limit <= 0:
        return app
    turns = Turns(limit)
    budget = BodyBudget(settings.BODY_BUDGET_BYTES if budget_bytes is None else budget_bytes)
    clients = OpenByClient(OPEN_PER_CLIENT if open_per_client is None else open_per_client)

    async def limited(scope, receive, send):
        client = OpenByClient.key(scope)
        if not clients.enter(client):
            await _answer(send, 429, _too_many_text(scope["path"]), [(b"retry-after", b"5")])
            return
        try:
            await _take_turn(scope, receive, send, app, turns, budget)
        finally:
            clients.leave(client)

    return limited
