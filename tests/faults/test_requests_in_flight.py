"""The limit on HTTP requests one server process runs at once (core.http_limits), which keeps
the load tests' writers from starving each other (docs/load-and-faults.md)."""

import asyncio

from core.http_limits import one_at_a_time_beyond


async def _whole_body():
    return {"type": "http.request", "body": b"", "more_body": False}


def run_requests(app, count: int, scope_type: str = "http") -> int:
    """Sends `count` requests at once; returns the most that were inside `app` together."""
    inside = most = 0

    async def endpoint(scope, receive, send):
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        await asyncio.sleep(0.02)
        inside -= 1

    limited = app(endpoint)

    async def all_at_once():
        await asyncio.gather(*(limited({"type": scope_type}, _whole_body, None)
                               for _ in range(count)))

    asyncio.run(all_at_once())
    return most


def test_no_more_than_the_limit_run_at_once_and_the_rest_wait_their_turn():
    assert run_requests(lambda app: one_at_a_time_beyond(3, app), 10) == 3


def test_zero_means_no_limit():
    assert run_requests(lambda app: one_at_a_time_beyond(0, app), 10) == 10



def test_a_slow_upload_holds_no_turn_while_its_body_arrives():
    """With one turn, a request whose body is still arriving does not keep a quick one
    waiting; the app gets the whole body, in order, once it runs."""
    finished, bodies = [], {}
    body_done = None

    async def endpoint(scope, receive, send):
        received = b""
        while True:
            message = await receive()
            received += message.get("body", b"")
            if not message.get("more_body"):
                break
        bodies[scope["name"]] = received
        finished.append(scope["name"])

    limited = one_at_a_time_beyond(1, endpoint)

    async def slow_receive():
        # Three chunks, the last one only after the quick request has been answered.
        chunks = [b"one ", b"two ", b"three"]
        for index, chunk in enumerate(chunks):
            if index == len(chunks) - 1:
                await body_done.wait()
            yield {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}

    async def both():
        nonlocal body_done
        body_done = asyncio.Event()
        slow_chunks = slow_receive()

        async def receive_slow():
            return await anext(slow_chunks)

        async def quick():
            await asyncio.sleep(0.01)  # the slow one arrived first
            await limited({"type": "http", "name": "quick"}, _whole_body, None)
            body_done.set()

        await asyncio.wait_for(asyncio.gather(
            limited({"type": "http", "name": "slow"}, receive_slow, None), quick()), 5)

    asyncio.run(both())
    assert finished == ["quick", "slow"]
    assert bodies["slow"] == b"one two three"


def test_a_body_sent_in_chunks_is_refused_once_it_passes_the_limit(settings):
    """Without a declared length the size is only known as the body arrives: it is counted
    there, and the request is answered 413 without reaching the app or keeping the body."""
    settings.MAX_REQUEST_BYTES = 10
    reached, sent = [], []

    async def endpoint(scope, receive, send):
        reached.append(scope)

    chunks = iter([b"12345", b"67890", b"X", b"never read"])

    async def receive():
        return {"type": "http.request", "body": next(chunks), "more_body": True}

    async def send(message):
        sent.append(message)

    asyncio.run(one_at_a_time_beyond(1, endpoint)({"type": "http", "path": "/report/"},
                                                  receive, send))
    assert reached == []
    assert sent[0]["status"] == 413
    assert next(chunks) == b"never read"
