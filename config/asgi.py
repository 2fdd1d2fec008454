"""ASGI entry point: Django for HTTP, channels for the staff websocket."""

import asyncio
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402


def _too_large_text(path: str) -> str:
    from django.utils import translation

    with translation.override("en" if path.startswith("/en/") else settings.LANGUAGE_CODE):
        return translation.gettext(
            "The files are larger than allowed (5 files of 10 MB each). Go back, attach "
            "smaller files and send again. Nothing was saved."
        )


async def _answer_too_large(scope, send) -> None:
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": _too_large_text(scope["path"]).encode()})


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


def one_at_a_time_beyond(limit: int, app):
    """Runs at most `limit` HTTP requests at once (settings.MAX_REQUESTS_IN_FLIGHT); the
    others wait in the event loop, in order of arrival, without a thread of their own.

    A request's body is read before it takes its turn, so that a slow upload (a phone on a
    poor line, or someone sending a byte a second on purpose) holds no turn while it
    arrives. A declared length over the limit never gets here (refuse_oversized_bodies); a
    body sent in chunks is counted as it arrives and refused once it passes the limit."""
    if limit <= 0:
        return app
    slots = None

    async def limited(scope, receive, send):
        nonlocal slots
        if slots is None:  # made inside the server's event loop
            slots = asyncio.Semaphore(limit)
        arrived, size = [], 0
        while True:
            message = await receive()
            arrived.append(message)
            size += len(message.get("body", b""))
            if size > settings.MAX_REQUEST_BYTES:  # chunked, so no length was declared
                await _answer_too_large(scope, send)
                return
            if message["type"] != "http.request" or not message.get("more_body"):
                break

        async def replay():
            return arrived.pop(0) if arrived else await receive()

        async with slots:
            await app(scope, replay, send)

    return limited


application = ProtocolTypeRouter(
    {
        # An oversized body is refused at once, without waiting for a turn.
        "http": refuse_oversized_bodies(
            one_at_a_time_beyond(settings.MAX_REQUESTS_IN_FLIGHT, django_asgi_app)),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
