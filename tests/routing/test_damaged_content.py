"""A referral over damaged content: the head sees that a cover letter is damaged rather than a
500, the damage is recorded once, and approving a referral whose case is damaged sends
nothing and says why (intake.damage)."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent
from intake.damage import DAMAGED_ACTION
from outbox.models import Outbox
from routing.models import ReferralState
from tests.intake.pages_case import CASE, NOW, make_case
from tests.intake.test_tamper import flip_a_byte
from tests.routing.helpers import make_agency, prepare

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_march_2026(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(NOW, tick=True):
        yield


def en_url(name, **kwargs):
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


@pytest.fixture
def referral(units, personas):
    complaint = make_case(units, personas)
    return prepare(complaint, personas["officer"], make_agency())


def test_the_head_sees_that_a_cover_letter_is_damaged_and_it_is_recorded_once(
    client, personas, signed_in, referral
):
    flip_a_byte(referral, "cover_letter")
    signed_in(personas["head"])
    for _visit in range(2):
        response = client.post(en_url("intake:case_read", **CASE))
        assert response.status_code == 200
        assert "This cover letter is damaged and cannot be shown" in response.content.decode()
    (event,) = AuditEvent.objects.filter(action=DAMAGED_ACTION)
    assert (event.object_type, event.details_dict["fields"]) == ("routing.referral",
                                                                  ["cover_letter"])
    letter_reads = AuditEvent.objects.filter(action="content.read",
                                             object_type="routing.referral")
    assert all("cover_letter" not in e.details_dict["fields"] for e in letter_reads)


def test_approving_a_referral_whose_case_is_damaged_sends_nothing_and_says_why(
    client, personas, signed_in, referral
):
    flip_a_byte(referral.complaint, "body")
    signed_in(personas["head"])
    response = client.post(en_url("routing:referral_approve", **CASE,
                                  number=referral.reference))
    assert response.status_code == 409
    assert "Part of this case is damaged" in response.content.decode()
    referral.refresh_from_db()
    assert referral.state == ReferralState.PREPARED and not Outbox.objects.exists()
