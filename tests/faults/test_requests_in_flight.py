"""The limit on HTTP requests one server process runs at once (config.asgi), which keeps
the load tests' writers from starving each other (docs/load-and-faults.md)."""

import asyncio

from config.asgi import one_at_a_time_beyond


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
        await asyncio.gather(*(limited({"type": scope_type}, None, None)
                               for _ in range(count)))

    asyncio.run(all_at_once())
    return most


def test_no_more_than_the_limit_run_at_once_and_the_rest_wait_their_turn():
    assert run_requests(lambda app: one_at_a_time_beyond(3, app), 10) == 3


def test_zero_means_no_limit():
    assert run_requests(lambda app: one_at_a_time_beyond(0, app), 10) == 10

