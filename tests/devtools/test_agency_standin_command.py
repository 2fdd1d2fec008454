"""`manage.py agency_standin` sends its answers where the site is served: SHUGEL_SITE_URL by
default, another port with --site-port, another address with --shugel."""

import io

import pytest
from django.core.management import CommandError, call_command

from devtools.management.commands.agency_standin import site_address
from devtools.standin import AgencyStandIn
from tests.routing.helpers import make_agency

pytestmark = pytest.mark.django_db


@pytest.fixture
def stopped_at_once(monkeypatch):
    """The stand-in binds a free port (0) and stops as Ctrl-C would, before serving."""
    original = AgencyStandIn.__init__

    def on_a_free_port(self, secret, **options):
        original(self, secret, **{**options, "port": 0})

    def interrupted(self):
        self._server.server_close()
        raise KeyboardInterrupt

    monkeypatch.setattr(AgencyStandIn, "__init__", on_a_free_port)
    monkeypatch.setattr(AgencyStandIn, "serve_forever", interrupted)


def said(*arguments) -> str:
    out = io.StringIO()
    call_command("agency_standin", *arguments, stdout=out)
    return out.getvalue()


def test_answers_go_to_the_sites_address_by_default(settings, stopped_at_once):
    make_agency()
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert "acknowledgements go to http://127.0.0.1:8000/api/agency/atg/" in said()


def test_a_site_on_another_port_is_named_with_site_port(settings, stopped_at_once):
    make_agency()
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert "acknowledgements go to http://127.0.0.1:8104/api/agency/atg/" in said(
        "--site-port", "8104")


def test_a_whole_address_may_be_given(stopped_at_once):
    make_agency()
    assert "go to https://shugel.example/api/agency/atg/" in said(
        "--shugel", "https://shugel.example/")


@pytest.mark.parametrize(("url", "port", "expected"), [
    ("http://127.0.0.1:8000/", None, "http://127.0.0.1:8000"),
    ("http://127.0.0.1:8000", 8001, "http://127.0.0.1:8001"),
    ("http://localhost", 9000, "http://localhost:9000"),
    ("http://[::1]:8000", 8002, "http://[::1]:8002"),
])
def test_the_port_replaces_the_addresss_own(url, port, expected):
    assert site_address(url, port) == expected


@pytest.mark.parametrize(("url", "port"), [("127.0.0.1:8000", None),
                                           ("http://127.0.0.1", 70000)])
def test_a_bad_address_or_port_is_refused_in_words(url, port):
    with pytest.raises(CommandError):
        site_address(url, port)
