"""Delivering referrals to an agency's API: a real HTTP server on 127.0.0.1 (the stand-in
agency) takes packages, fails, stalls and refuses on purpose; time is moved with
time-machine to walk through the back-off."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from audit.models import AuditEvent
from audit.services import verify_chain
from devtools.standin import AgencyStandIn
from notify.models import Kind, Notification
from outbox.delivery import retry_delay
from outbox.models import Agency, DeliveryAttempt, Outbox
from outbox.tasks import deliver, deliver_due
from routing.delivery import dead_letter_retry
from routing.models import Referral, ReferralState
from tests.intake.pages_case import NOW, make_case
from tests.routing.helpers import approved_referral, make_agency

pytestmark = pytest.mark.django_db

SECRET = "shared-secret-for-the-stand-in"
CANARY = "Канарейка-Дорж-99001122"
HEAD_EMAIL = "darga@dg.example.mn"


@pytest.fixture
def clock(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AGENCY_HTTP_TIMEOUT_SECONDS = 1
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def standin():
    with AgencyStandIn(SECRET) as server:
        yield server


@pytest.fixture
def case(units, personas, clock):
    personas["head"].email = HEAD_EMAIL
    personas["head"].save(update_fields=["email"])
    return make_case(units, personas, body=f"Хээл хахууль авсан. Гэрч: {CANARY}")


@pytest.fixture
def outbox(case, personas, standin) -> Outbox:
    agency = make_agency(api_url=standin.url, secret=SECRET)
    referral = approved_referral(case, personas["officer"], personas["head"], agency)
    return Outbox.objects.of(Referral.OUTBOX_KIND, referral.pk).get()


def _reload(outbox: Outbox) -> Outbox:
    return Outbox.objects.get(pk=outbox.pk)


def _referral(outbox: Outbox) -> Referral:
    """The referral an outbox row carries, as the database has it now."""
    return Referral.objects.get(pk=outbox.subject_id)


def _tries(outbox: Outbox) -> list[tuple[str, str]]:
    return list(DeliveryAttempt.objects.filter(outbox=outbox).order_by("number")
                .values_list("outcome", "detail"))


def _actions() -> list[str]:
    return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


def _alerts() -> list:
    """The emails that tell of a failed referral, as notify sends them."""
    with translation.override(settings.LANGUAGE_CODE):
        label = str(Kind.REFERRAL_FAILED.label)
    return [message for message in mail.outbox if label in message.subject]


def test_an_accepted_package_is_delivered_logged_and_audited(outbox, standin):
    assert deliver(outbox.pk) == "delivered"

    outbox = _reload(outbox)
    assert outbox.state == Outbox.State.DELIVERED and outbox.attempts == 1
    assert outbox.lease_until is None and outbox.delivered_at is not None
    referral = _referral(outbox)
    assert referral.state == ReferralState.DELIVERED
    assert referral.acknowledge_expected_by > NOW.date()
    assert _tries(outbox) == [("delivered", "HTTP 200")]
    held = standin.deliveries[str(outbox.key)]
    assert held.sha256 == outbox.package_sha256 and held.reference == referral.reference
    event = AuditEvent.objects.get(action="referral.delivered")
    assert event.details_dict == {"referral": referral.reference, "attempts": 1,
                             "delivery": "api", "package_sha256": outbox.package_sha256}
    assert CANARY not in str(event.details)
    assert verify_chain().ok


def test_approval_queues_the_delivery_once_committed(case, personas, standin,
                                                     django_capture_on_commit_callbacks):
    agency = make_agency(api_url=standin.url, secret=SECRET)
    with django_capture_on_commit_callbacks(execute=True):
        referral = approved_referral(case, personas["officer"], personas["head"], agency)
    referral.refresh_from_db()
    assert referral.state == ReferralState.DELIVERED
    assert standin.accepted_keys == 1


def test_server_errors_are_retried_with_a_growing_back_off(outbox, standin, clock):
    standin.failures = 3
    gaps = []
    for _ in range(3):
        assert deliver(outbox.pk) == "retry"
        assert deliver(outbox.pk) == "not due"  # the back-off holds
        waiting = _reload(outbox).next_attempt_at - timezone.now()
        gaps.append(round(waiting.total_seconds()))
        clock.shift(waiting + timedelta(seconds=1))
    assert deliver(outbox.pk) == "delivered"

    assert gaps[0] == pytest.approx(30, abs=2) and gaps[1] == pytest.approx(60, abs=2)
    assert gaps[2] == pytest.approx(120, abs=2)
    assert _tries(outbox) == [("retry", "HTTP 500")] * 3 + [("delivered", "HTTP 200")]
    assert _reload(outbox).last_error == ""
    assert standin.calls == 4 and standin.accepted_keys == 1


def test_back_off_stops_growing_at_the_cap(settings):
    settings.REFERRAL_RETRY_BASE_SECONDS, settings.REFERRAL_RETRY_MAX_SECONDS = 30, 3600
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [
        30, 60, 120, 3600, 3600]


def test_a_timeout_is_retried_and_the_repeat_is_kept_once(outbox, standin, clock):
    standin.mode, standin.sleep_seconds = "slow", 2.5
    assert deliver(outbox.pk) == "retry"
    assert _reload(outbox).last_error == "timeout"

    standin.mode = "accept"
    clock.shift(timedelta(minutes=2))
    assert deliver(outbox.pk) == "delivered"
    # The agency had kept the first package although we never heard back; the second, with
    # the same idempotency key, is not a second delivery.
    assert standin.accepted_keys == 1 and standin.repeats == 1
    assert _tries(outbox) == [("retry", "timeout"), ("delivered", "HTTP 200")]


def test_an_agency_that_is_down_is_retried(case, personas, clock):
    agency = make_agency(api_url="http://127.0.0.1:9/referrals/", secret=SECRET)
    referral = approved_referral(case, personas["officer"], personas["head"], agency)
    assert deliver(referral.outbox.pk) == "retry"
    assert _reload(referral.outbox).last_error == "ConnectionRefusedError"


def test_a_refusal_is_a_dead_letter_and_the_head_is_alerted(
        outbox, standin, django_capture_on_commit_callbacks):
    standin.mode, standin.refuse_status = "refuse", 422
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(outbox.pk) == "dead"

    outbox = _reload(outbox)
    assert outbox.state == Outbox.State.DEAD and outbox.last_error == "HTTP 422"
    assert _referral(outbox).state == ReferralState.FAILED
    assert _tries(outbox) == [("permanent", "HTTP 422")]
    assert _actions()[-1] == "referral.failed"
    assert deliver(outbox.pk) == "not due"  # a dead letter is not tried again by itself

    # The heads are told through notify, in the dead letter's transaction; its outbox
    # emails them (other mail, such as the referral awaiting approval, may go with it).
    [failed] = Notification.objects.filter(kind=Kind.REFERRAL_FAILED)
    assert failed.recipient.email == HEAD_EMAIL
    assert failed.event.subject["referral"] == _referral(outbox).pk
    [alert] = _alerts()
    assert alert.to == [HEAD_EMAIL]
    message = alert.message().as_bytes()
    assert CANARY.encode() not in message and CANARY not in alert.body + alert.subject
    assert _referral(outbox).reference not in alert.body + alert.subject


def test_a_wrong_secret_is_refused_as_permanent(case, personas, standin):
    agency = make_agency(api_url=standin.url, secret="not-the-agency-secret")
    referral = approved_referral(case, personas["officer"], personas["head"], agency)
    assert deliver(referral.outbox.pk) == "dead"
    assert standin.unsigned == 1 and standin.accepted_keys == 0


def test_it_gives_up_after_the_most_tries(outbox, standin, clock, settings,
                                          django_capture_on_commit_callbacks):
    settings.REFERRAL_MAX_ATTEMPTS = 3
    standin.mode = "fail"
    outcomes = []
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            outcomes.append(deliver(outbox.pk))
            clock.shift(timedelta(hours=2))
    assert outcomes == ["retry", "retry", "dead"]
    outbox = _reload(outbox)
    assert outbox.state == Outbox.State.DEAD and outbox.attempts == 3
    assert _referral(outbox).state == ReferralState.FAILED
    assert AuditEvent.objects.get(action="referral.failed").details_dict["permanent"] is False
    assert Notification.objects.filter(kind=Kind.REFERRAL_FAILED).count() == 1
    assert len(_alerts()) == 1


def test_the_head_sends_a_dead_letter_again_and_an_officer_cannot(
        outbox, standin, personas, django_capture_on_commit_callbacks):
    standin.mode = "refuse"
    deliver(outbox.pk)
    referral = _referral(outbox)
    with pytest.raises(PermissionDenied):
        dead_letter_retry(referral=referral, by=personas["officer"])
    assert _reload(outbox).state == Outbox.State.DEAD

    standin.mode = "accept"
    with django_capture_on_commit_callbacks(execute=True):
        dead_letter_retry(referral=referral, by=personas["head"])
    outbox = _reload(outbox)
    assert outbox.state == Outbox.State.DELIVERED and outbox.attempts == 1
    assert _referral(outbox).state == ReferralState.DELIVERED
    assert "referral.retried" in _actions()
    with pytest.raises(ValidationError):
        dead_letter_retry(referral=_referral(outbox), by=personas["head"])


def test_a_row_held_by_another_worker_is_left_alone(outbox, standin, clock):
    Outbox.objects.filter(pk=outbox.pk).update(
        lease_until=timezone.now() + timedelta(seconds=60))
    assert deliver(outbox.pk) == "not due"
    assert deliver_due() == "nothing due"
    clock.shift(timedelta(seconds=61))  # that worker died; its lease runs out
    assert deliver_due() == "1 delivered"
    assert standin.calls == 1


def test_a_delivered_referral_is_not_sent_again(outbox, standin):
    deliver(outbox.pk)
    assert deliver(outbox.pk) == "not due"
    assert deliver_due() == "nothing due"
    assert standin.calls == 1


def test_letters_are_never_sent_by_the_task(case, personas, standin):
    agency = make_agency("post", delivery=Agency.Delivery.LETTER,
                         postal_address="Улаанбаатар, 1-р хороо")
    referral = approved_referral(case, personas["officer"], personas["head"], agency)
    assert referral.state == ReferralState.AWAITING_LETTER
    assert deliver(referral.outbox.pk) == "not due"
    assert deliver_due() == "nothing due"


@pytest.mark.django_db(transaction=True)
def test_the_stand_in_acknowledges_through_the_signed_callback(live_server, case, personas):
    from django.urls import reverse

    from routing.models import Category

    # An earlier transactional test may have flushed the categories the migration made.
    Category.objects.get_or_create(code="bribery", defaults={
        "name_mn": "Хээл хахууль", "name_en": "Bribery", "corruption_related": True})
    callback = live_server.url + reverse("agency_api:answers", kwargs={"agency_code": "atg"})
    with AgencyStandIn(SECRET, callback_url=callback, ack_delay=0.1) as standin:
        agency = make_agency(api_url=standin.url, secret=SECRET)
        # Approval commits, then queues the delivery (run at once: tasks are synchronous in
        # tests); the stand-in acknowledges a moment later.
        referral = approved_referral(case, personas["officer"], personas["head"], agency)
        # The stand-in hears back once the callback's notifications are sent, a moment
        # after the answer is committed: wait for both.
        for _ in range(100):
            referral.refresh_from_db()
            if referral.state == ReferralState.ACKNOWLEDGED and standin.acknowledged:
                break
            time.sleep(0.05)
    assert referral.state == ReferralState.ACKNOWLEDGED
    assert referral.agency_reference == "АТГ-2026/0001"
    assert standin.acknowledged == [(str(referral.outbox.key), 200)]
    assert referral.delivered_at is not None
