"""Redis down in the scaled deployment: a citizen's report and a head's approval still go
through, the notifications are still written (pages catch up from them), and each outage is
logged once, not once per request."""

import logging

import pytest
import time_machine

from core.logging import Every
from intake import ratelimit
from intake.models import Complaint
from notify import push
from notify.models import Kind, Notification
from routing.models import ReferralState
from routing.services import referral_approve
from tests.intake.pages_case import NOW, make_case
from tests.intake.test_web_submission import receipt_of, send_report
from tests.routing.helpers import make_agency, prepare

pytestmark = pytest.mark.django_db

DEAD = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings, monkeypatch, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": DEAD, "KEY_PREFIX": "shugel"}}
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                                           "CONFIG": {"hosts": [DEAD], "prefix": "shugel"}}}
    monkeypatch.setattr(ratelimit, "_outage_log", Every(300))
    monkeypatch.setattr(push, "_outage_log", Every(300))


def test_reports_are_taken_and_the_outage_logged_once(client, units, personas, redis_down,
                                                      caplog, django_capture_on_commit_callbacks):
    with caplog.at_level(logging.ERROR):
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(3):
                assert receipt_of(send_report(client, unit=units["DG"].pk))
    assert Complaint.objects.count() == 3
    # The officer and the head of DG are told of each, by the table if not by the socket.
    assert Notification.objects.filter(kind=Kind.COMPLAINT_LOGGED).count() == 3 * 2
    by_logger = [record.name for record in caplog.records]
    assert by_logger.count("intake.ratelimit") == 1
    assert by_logger.count("notify.push") == 1


def test_a_referral_is_approved_and_queued(units, personas, redis_down, caplog,
                                           django_capture_on_commit_callbacks):
    with time_machine.travel(NOW, tick=True):
        complaint = make_case(units, personas)
        referral = prepare(complaint, personas["officer"], make_agency())
        with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks() as queued:
            referral = referral_approve(referral=referral, by=personas["head"])
    assert referral.state == ReferralState.APPROVED
    assert queued, "delivery and notifications wait for the commit"
    assert Notification.objects.filter(kind=Kind.REFERRAL_APPROVED).exists()
