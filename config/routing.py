"""Websocket routes. Each consumer checks login, second factor, role and unit itself."""

websocket_urlpatterns: list = []
