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


def served_order(arrivals: list[tuple[str, str]], limit: int = 1) -> list[str]:
    """Sends requests named and of the method given, in that order, while the first one
    holds the only turn; returns the order in which they ran."""
    ran = []
    first_inside = asyncio.Event()

    async def endpoint(scope, receive, send):
        ran.append(scope["name"])
        if len(ran) == 1:
            first_inside.set()
        await asyncio.sleep(0.01)

    limited = one_at_a_time_beyond(limit, endpoint)

    async def all_in_order():
        first, *rest = arrivals
        tasks = [asyncio.create_task(limited(
            {"type": "http", "method": first[1], "name": first[0]}, _whole_body, None))]
        await first_inside.wait()
        for name, method in rest:
            tasks.append(asyncio.create_task(limited(
                {"type": "http", "method": method, "name": name}, _whole_body, None)))
            await asyncio.sleep(0)  # each arrives, in order, before the next
        await asyncio.wait_for(asyncio.gather(*tasks), 5)

    asyncio.run(all_in_order())
    return ran


def test_a_report_being_sent_goes_ahead_of_pages_being_opened():
    order = served_order([("busy", "GET"), ("form 1", "GET"), ("form 2", "GET"),
                          ("report 1", "POST"), ("report 2", "POST")])
    assert order == ["busy", "report 1", "report 2", "form 1", "form 2"]


def test_a_stream_of_posts_cannot_shut_the_pages_out():
    arrivals = [("busy", "GET"), ("page", "HEAD")] + [(f"post {n}", "POST") for n in range(7)]
    order = served_order(arrivals)
    # Every fourth turn goes to a page that is waiting.
    assert order == ["busy", "post 0", "post 1", "post 2", "page", "post 3", "post 4",
                     "post 5", "post 6"]


def test_requests_of_one_kind_keep_their_order_of_arrival():
    arrivals = [("busy", "POST")] + [(f"page {n}", "GET") for n in range(5)]
    assert served_order(arrivals) == [name for name, _ in arrivals]


def test_a_client_that_leaves_while_waiting_or_as_its_turn_comes_holds_no_turn():
    from core.http_limits import Turns

    async def scenario():
        turns = Turns(1)
        await turns.take(sending=False)  # held
        leaving = asyncio.create_task(turns.take(sending=True))
        handed = asyncio.create_task(turns.take(sending=True))
        staying = asyncio.create_task(turns.take(sending=False))
        await asyncio.sleep(0)
        leaving.cancel()  # left while waiting
        await asyncio.sleep(0)
        turns.give()  # the held turn goes to `handed`...
        handed.cancel()  # ...whose client leaves before it runs: it passes the turn on
        await asyncio.wait_for(staying, 1)
        assert leaving.cancelled() and handed.cancelled()
        assert not turns.sending and not turns.opening
        turns.give()  # `staying` is done
        assert turns.free == 1
        await turns.take(sending=False)  # and the one turn is there to take
        assert turns.free == 0

    asyncio.run(scenario())


def test_one_client_may_have_only_so_many_requests_open_and_others_are_not_held_back():
    """Requests count from arrival to answer, by address: the one over the limit is answered
    429 at once, in the page's language, while another address goes on; once one of the
    first client's requests is answered it may send again, and the table keeps nothing."""
    from django.utils import translation

    from core.http_limits import OpenByClient, _too_many_text

    release = None
    answers = []

    async def endpoint(scope, receive, send):
        await release.wait()
        answers.append((scope["client"][0], "served"))

    limited = one_at_a_time_beyond(8, endpoint, open_per_client=3)

    def request(address, path="/report/"):
        async def send(message):
            if message["type"] == "http.response.start":
                answers.append((address, message["status"], dict(message["headers"])))
            else:
                answers.append((address, message["body"].decode()))
        return limited({"type": "http", "path": path, "method": "GET", "headers": [],
                        "client": (address, 50000)}, _whole_body, send)

    async def scene():
        nonlocal release
        release = asyncio.Event()
        held = [asyncio.create_task(request("203.0.113.5")) for _ in range(3)]
        await asyncio.sleep(0.01)
        await request("203.0.113.5", "/en/report/")  # the fourth: refused at once
        other = asyncio.create_task(request("198.51.100.7"))
        await asyncio.sleep(0.01)
        release.set()
        await asyncio.gather(*held, other)
        await request("203.0.113.5")  # room again

    asyncio.run(scene())
    refused = [a for a in answers if a[0] == "203.0.113.5" and a[1] == 429]
    assert len(refused) == 1 and refused[0][2][b"retry-after"] == b"5"
    assert ("203.0.113.5", _too_many_text("/en/report/")) in answers
    assert answers.count(("203.0.113.5", "served")) == 4
    assert ("198.51.100.7", "served") in answers
    with translation.override("mn"):
        assert _too_many_text("/report/") != _too_many_text("/en/report/")

    counted = OpenByClient(2)
    keys = [OpenByClient.key({"client": ("192.0.2.1", port)}) for port in range(3)]
    assert keys[0] == keys[2]  # the address counts, not the connection
    assert [counted.enter(key) for key in keys] == [True, True, False]
    assert OpenByClient.key({}) is None and counted.enter(None)  # no address: not counted
    for key in keys[:2]:
        counted.leave(key)
    assert counted.open == {}
