import asyncio

from django.conf import settings

from core.http_limits import refuse_oversized_bodies


def call(app, headers):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/report/", "headers": headers}
    asyncio.run(app(scope, receive, send))
    return sent


def test_a_body_larger_than_any_accepted_is_refused_before_it_is_read():
    reached = []

    async def inner(scope, receive, send):
        reached.append(scope)

    too_big = str(settings.MAX_REQUEST_BYTES + 1).encode()
    sent = call(refuse_oversized_bodies(inner), [(b"content-length", too_big)])
    assert sent[0]["status"] == 413 and not reached
    assert "Юу ч хадгалагдаагүй" in sent[1]["body"].decode()
    call(refuse_oversized_bodies(inner), [(b"content-length", b"1000")])
    assert reached


def test_django_never_spills_an_accepted_body_to_disk():
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE >= settings.MAX_REQUEST_BYTES
