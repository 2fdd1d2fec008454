"""core.handlers: a request's sync code runs in a thread the process keeps, with the whole
middleware chain in sync mode, and the thread keeps its database connection for the next
request."""

import asyncio
import threading

import pytest
from asgiref.sync import iscoroutinefunction
from django.db import connection
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

from core.handlers import PooledThreadsASGIHandler

pytestmark = pytest.mark.django_db(transaction=True)


def where(request):
    connection.ensure_connection()
    return HttpResponse(f"{threading.get_ident()} {id(connection.connection)}")


def slow(request):
    threading.Event().wait(0.2)
    return HttpResponse(str(threading.get_ident()))


async def waits(request):
    await asyncio.sleep(0.01)
    return HttpResponse(b"waited")


urlpatterns = [path("where/", where), path("slow/", slow), path("waits/", waits)]


async def fetch(app, url: str) -> tuple[int, bytes]:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": url, "raw_path": url.encode(),
             "query_string": b"", "root_path": "", "headers": [(b"host", b"testserver")],
             "client": ("127.0.0.1", 50000), "server": ("testserver", 80)}
    body = [{"type": "http.request", "body": b"", "more_body": False}]
    answer = {"body": b""}

    async def receive():
        if body:
            return body.pop()
        await asyncio.Event().wait()

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        else:
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer["status"], answer["body"]


def run(coroutine):
    return asyncio.run(coroutine)


@override_settings(ROOT_URLCONF=__name__)
def test_requests_one_after_another_use_the_same_thread_and_connection():
    app = PooledThreadsASGIHandler(keep=4)

    async def twice():
        return [await fetch(app, "/where/") for _ in range(2)]

    (status, first), (_, second) = run(twice())
    assert status == 200 and first == second


@override_settings(ROOT_URLCONF=__name__)
def test_requests_at_once_each_have_a_thread_and_idle_ones_beyond_keep_are_let_go():
    app = PooledThreadsASGIHandler(keep=1)

    async def three_at_once():
        return await asyncio.gather(*(fetch(app, "/slow/") for _ in range(3)))

    answers = run(three_at_once())
    assert {status for status, _ in answers} == {200}
    assert len({body for _, body in answers}) == 3
    assert len(app.threads.idle) == 1


@override_settings(ROOT_URLCONF=__name__)
def test_the_middleware_runs_in_sync_mode_and_an_async_view_still_answers():
    app = PooledThreadsASGIHandler(keep=2)
    assert not iscoroutinefunction(app._middleware_chain)
    assert run(fetch(app, "/waits/")) == (200, b"waited")


def test_the_site_is_served_by_it():
    from config.asgi import django_asgi_app

    assert isinstance(django_asgi_app, PooledThreadsASGIHandler)
