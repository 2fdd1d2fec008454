"""Django's ASGI handler, run the way a threaded WSGI server runs Django (config/asgi.py).

Django's own ASGI handler starts a thread for every request and stops it at the end, and
builds the middleware in async mode. In that mode every middleware written for sync code
(most of Django's own and ours) hops to a thread and back at each step: 10 to 20 hops a
request. And because a database connection belongs to the thread that opened it, a thread
that dies with its request takes its connection along: each request opened one and closed
it (on SQLite a checkpoint of the write-ahead log and its file deleted, every time; on
PostgreSQL a new server process). Measured in `bench/intake_submit.py --profile`, that was
about 4 ms of CPU on each request before a view did any work.

This handler keeps the threads: a request borrows an idle one from the process's pool, and
runs all its sync code there, the whole middleware chain in sync mode, the view and the
response's closing, in one hop, as under a threaded WSGI server. The thread keeps its
database connection for the next request (CONN_MAX_AGE, with health checks), as Django does
under WSGI. An async view (a receipt lookup that waits out its time floor) still runs on the
event loop; its thread waits for it.

How many threads: one per request in flight, and the limit on those
(settings.MAX_REQUESTS_IN_FLIGHT, core.http_limits) bounds it; idle threads beyond `keep`
are let go.
"""

from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler


class _Threads:
    """Idle one-thread executors, most recently used first (its connection is warm)."""

    def __init__(self, keep: int):
        self.keep = keep
        self.idle: list[ThreadPoolExecutor] = []

    def borrow(self) -> ThreadPoolExecutor:
        if self.idle:
            return self.idle.pop()
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="django-request")

    def give_back(self, executor: ThreadPoolExecutor) -> None:
        if len(self.idle) < self.keep:
            self.idle.append(executor)
        else:
            # Its thread ends once it is done; its connection is closed with it.
            executor.shutdown(wait=False)


class PooledThreadsASGIHandler(ASGIHandler):
    def __init__(self, *, keep: int):
        base.BaseHandler.__init__(self)
        # Sync mode: one hop into the request's thread, then plain calls all the way down.
        self.load_middleware(is_async=False)
        self.threads = _Threads(keep)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = self.threads.borrow()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            self.threads.give_back(executor)

    async def get_response_async(self, request):
        # The sync handler sets the URL configuration, logs 4xx/5xx and closes the
        # request with the response, as the async one does.
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
