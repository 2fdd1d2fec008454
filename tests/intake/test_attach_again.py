"""A form shown again after an error has lost the files chosen for it (a browser never sends
them back with the page): the page says so plainly, beside the file field."""

import pytest
from django.core.cache import cache
from django.utils import translation

from intake.models import Complaint
from tests.intake.test_web_submission import jpeg, named, send_report

pytestmark = pytest.mark.django_db

AGAIN = 'id="id_attachments_again"'


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()
    translation.deactivate()


def test_a_report_refused_for_another_field_asks_for_its_files_again(client, units):
    response = send_report(client, "/en", body="", files=[named("a.jpg", jpeg(), "image/jpeg")])
    html = response.content.decode()
    assert Complaint.objects.count() == 0
    assert AGAIN in html and "Attach them again" in html


def test_a_report_refused_without_files_says_nothing_about_them(client, units):
    html = send_report(client, "/en", body="").content.decode()
    assert Complaint.objects.count() == 0 and 'id="id_body' in html
    assert AGAIN not in html
