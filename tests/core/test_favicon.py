"""Every page names the site's icon, and a client that asks for /favicon.ico anyway is sent
to it instead of getting a 404."""

from pathlib import Path

import pytest
from django.conf import settings
from django.templatetags.static import static

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("favicon.svg")


def test_pages_name_the_icon(client):
    page = client.get("/").content.decode()
    assert f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">' in page


def test_the_icon_is_a_small_svg_of_our_own():
    icon = Path(settings.BASE_DIR) / "static" / "favicon.svg"
    text = icon.read_text()
    assert text.startswith("<svg") and len(text) < 1000
