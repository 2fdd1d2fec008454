"""Websocket routes. Each consumer checks login, second factor, role and unit itself."""

from django.urls import path

from notify.consumers import NotificationConsumer

websocket_urlpatterns: list = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
]
