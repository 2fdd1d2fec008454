"""ASGI entry point: Django for HTTP, channels for the staff websocket."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402
from core.handlers import PooledThreadsASGIHandler  # noqa: E402
from core.heap import startup_heap_freeze  # noqa: E402
from core.http_limits import one_at_a_time_beyond, refuse_oversized_bodies  # noqa: E402

# Django's handler, with its threads (and their database connections) kept between requests:
# at most one per request in flight (core/handlers.py).
django_asgi_app = PooledThreadsASGIHandler(keep=settings.MAX_REQUESTS_IN_FLIGHT or 8)

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

# Everything above lives as long as the worker: out of the cycle collector's sight from here
# (core/heap.py).
startup_heap_freeze()
