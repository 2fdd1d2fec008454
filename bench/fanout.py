"""Live push to 200 open staff pages: p95 time from an event's commit to its arrival at every
page, against a bare channels group_send to the same pages in the same run.

Each page is the real ASGI application (origin check, session, auth, NotificationConsumer)
driven in-process, all 200 signed in as heads of one department, so one event makes 200
notifications. Measured:
  pushed:  the embedded deployment, event raised in the web process: commit, then
           notify.push reads the 200 rows and group_sends each to its person's group;
  polled:  the embedded deployment, event raised elsewhere (the task worker): nothing is
           pushed; the web process's one watcher (notify.watch) sees SQLite's data_version
           move (it looks every 0.02 s) and hands the new rows to the pages (NOTIFY_POLL_SECONDS,
           here 1 s, is only how often it checks that the people still hold a role);
  redis:   as pushed, through Redis (only when REDIS_URL is set and answers);
  floor:   one group_send of a ready-made frame to one group all 200 pages joined, through
           the same layer: what delivering to 200 sockets costs at the least.
The ratio is floor p95 / measured p95. The last line compares the two embedded paths: the
polled p95 over the pushed one (issue 21's target: at most 2).

    .venv/bin/python bench/fanout.py [--quick] [--clients N] [--rounds N]
"""

import asyncio
import os
import statistics
import time

from _setup import arguments, cleanup, django_in_tempdir

REDIS_URL = os.environ.get("REDIS_URL", "")


def percentile(values: list[float], share: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def seed(clients: int) -> list[bytes]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from org.models import Membership, Role, Unit

    dg = Unit.objects.create(code="DG", kind=Unit.Kind.DEPARTMENT, name_mn="Дорноговь",
                             name_en="Dornogovi")
    cookies = []
    for number in range(clients):
        user = get_user_model().objects.create_user(username=f"head{number}", password=None)
        Membership.objects.create(user=user, unit=dg, role=Role.HEAD)
        client = Client()
        client.force_login(user)
        cookies.append(f"{settings.SESSION_COOKIE_NAME}="
                       f"{client.cookies[settings.SESSION_COOKIE_NAME].value}".encode())
    return cookies


def emit_now(push_after: bool) -> tuple[float, int]:
    """Raise one event; returns the moment it committed and the first notification id."""
    from django.db import transaction

    from notify import events, push
    from notify.models import Kind
    from org.models import Unit

    original = push.push
    if not push_after:
        push.push = lambda ids: 0  # as in the task worker: the push reaches no page
    try:
        committed = {}
        with transaction.atomic():
            # Callbacks run in the order they were added: this one before emit's push.
            transaction.on_commit(lambda: committed.setdefault("at", time.perf_counter()))
            event = events.emit(Kind.COMPLAINT_TRIAGED, unit=Unit.objects.get(code="DG"),
                                subject={"complaint": 1})
        return committed["at"], event.notifications.order_by("pk").first().pk
    finally:
        push.push = original


async def run(cookies: list[bytes], rounds: int, label: str, push_after: bool):
    from channels.db import database_sync_to_async
    from channels.layers import get_channel_layer
    from channels.testing import WebsocketCommunicator

    from config.asgi import application
    from notify.consumers import unit_group

    pages = []
    for cookie in cookies:
        page = WebsocketCommunicator(
            application, "/ws/notifications/?unit=DG",
            headers=[(b"origin", b"http://127.0.0.1"), (b"cookie", cookie)])
        connected, code = await page.connect(timeout=30)
        if not connected:
            raise SystemExit(f"a page was refused with {code}")
        pages.append(page)

    async def arrival(page, timeout=30):
        try:
            await page.receive_from(timeout)
        except TimeoutError:  # a page that never heard of it: said aloud, not a traceback
            raise SystemExit(f"{label}: a page heard nothing for {timeout} s") from None
        return time.perf_counter()

    measured = []
    for _ in range(rounds):
        waiting = [asyncio.ensure_future(arrival(page)) for page in pages]
        committed, _first = await database_sync_to_async(emit_now)(push_after)
        arrivals = await asyncio.gather(*waiting)
        measured.append(max(arrivals) - committed)

    # The floor: the group every page of the unit's heads joined gets a ready frame.
    layer = get_channel_layer()
    floor = []
    if layer is not None:
        for number in range(rounds):
            frame = {"type": "notify.message",
                     "notification": {"id": 10**9 + number, "kind": "complaint.triaged"}}
            waiting = [asyncio.ensure_future(arrival(page)) for page in pages]
            started = time.perf_counter()
            await layer.group_send(unit_group("DG", "head"), frame)
            arrivals = await asyncio.gather(*waiting)
            floor.append(max(arrivals) - started)
    for page in pages:
        await page.disconnect(timeout=5)
    return label, measured, floor


def report(label, measured, floor) -> float:
    p95, floor_p95 = percentile(measured, .95), percentile(floor, .95)
    print(f"{label:8} p95 {p95 * 1000:9.1f} ms   floor p95 {floor_p95 * 1000:7.1f} ms   "
          f"ratio {floor_p95 / p95:.3f}")
    return p95


def redis_answers() -> bool:
    if not REDIS_URL:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def main():
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int)
    parser.add_argument("--rounds", type=int)
    options = parser.parse_args()
    clients = options.clients or (50 if options.quick else 200)
    rounds = options.rounds or (5 if options.quick else 20)
    use_redis = redis_answers()
    os.environ["SHUGEL_NOTIFY_POLL_SECONDS"] = "1"
    workdir = django_in_tempdir()
    try:
        from asgiref.sync import async_to_sync
        from channels.layers import channel_layers
        from django.conf import settings

        cookies = seed(clients)
        settings.REQUIRE_2FA = False  # the bench's people have no device; refusals are tested
        print(f"{clients} open pages, {rounds} events each way")
        pushed = report(*async_to_sync(run)(cookies, rounds, "pushed", True))
        polled = report(*async_to_sync(run)(cookies, rounds, "polled", False))
        verdict = "meets" if polled <= 2 * pushed else "MISSES"
        print(f"polled p95 / pushed p95: {polled / pushed:.2f}  ({verdict} the target of <= 2)")
        if use_redis:
            settings.CHANNEL_LAYERS = {"default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [REDIS_URL], "prefix": "shugel-bench"}}}
            settings.NOTIFY_POLL_SECONDS = 0
            channel_layers.backends.clear()
            report(*async_to_sync(run)(cookies, rounds, "redis", True))
        else:
            print("redis    skipped (set REDIS_URL to a Redis that answers)")
    finally:
        cleanup(workdir)


if __name__ == "__main__":
    main()
