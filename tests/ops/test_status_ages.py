"""How long ago, on the status page: "3 цагийн өмнө" on a Mongolian page (the last word of
the age in the genitive), "3 hours ago" on an English one."""

from datetime import timedelta

import pytest
from django.utils import timezone

from outbox.models import Agency, Outbox
from tests.ops.test_status import admin_page, section  # noqa: F401 (a fixture)
from tests.routing.helpers import make_agency
from vault.models import DataKey

pytestmark = pytest.mark.django_db


def test_the_age_of_the_oldest_waiting_delivery_takes_the_genitive(admin_page, units):  # noqa: F811
    Outbox.objects.create(
        agency=make_agency(), delivery=Agency.Delivery.API,
        data_key=DataKey.objects.create_fresh(), package_name="p", package_sha256="0" * 64,
        package_size=1, state=Outbox.State.PENDING, attempts=0,
        created_at=timezone.now() - timedelta(days=2, hours=3))
    mongolian = section(admin_page("mn"), "outbox")
    assert "2 өдөр, 3 цагийн" in mongolian and "3 цаг ago" not in mongolian
    assert "2 days, 3 hours ago" in section(admin_page("en"), "outbox")
