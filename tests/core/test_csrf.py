"""CSRF protection stays on although `Referrer-Policy: no-referrer` makes browsers send
`Origin: null`: the token decides."""

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def csrf_client():
    client = Client(enforce_csrf_checks=True)
    client.get("/staff/login/")
    return client, client.cookies["csrftoken"].value


def test_csrf_middleware_is_installed():
    assert "core.middleware.CsrfNullOriginMiddleware" in settings.MIDDLEWARE


def test_a_post_without_token_is_refused_even_from_a_null_origin():
    client, _ = csrf_client()
    response = client.post("/staff/login/", {"username": "x", "password": "y"},
                           headers={"origin": "null"})
    assert response.status_code == 403
    assert "Маягтын хугацаа дууссан" in response.content.decode()


def test_a_post_with_token_from_a_null_origin_is_accepted():
    client, token = csrf_client()
    response = client.post(
        "/staff/login/", {"username": "x", "password": "y", "csrfmiddlewaretoken": token},
        headers={"origin": "null"},
    )
    assert response.status_code == 200  # the form answers: wrong password


def test_a_post_from_another_site_is_refused_even_with_a_token():
    client, token = csrf_client()
    response = client.post(
        "/staff/login/", {"username": "x", "password": "y", "csrfmiddlewaretoken": token},
        headers={"origin": "https://evil.example"},
    )
    assert response.status_code == 403
