"""An approved report reaches the anti-corruption agency through its API (the stand-in agency,
a real HTTP server on 127.0.0.1) and the parent authority by letter, through routing's outbox:
one delivery per recipient, the package the approved document with its hash and no complaint's
words, a letter waiting for the clerk to post it, a refusal becoming a dead letter the head is
told of and can send again. Nothing in the outbox row or the task queue is readable text."""

import hashlib
import json
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_q.models import OrmQ, Task
from django_q.signing import SignedPackage

from audit.models import AuditEvent
from audit.services import verify_chain
from devtools.standin import AgencyStandIn
from intake.models import Channel, Kind
from intake.services import Content, staff_channel_log
from notify.models import Event, Notification
from notify.models import Kind as Notice
from outbox.delivery import deliver_outbox
from outbox.models import Agency, DeliveryAttempt, Outbox
from reporting import services
from reporting.deliveries import report_delivery_retry, report_letter_mark_sent
from reporting.models import ReportDelivery
from tests.routing.helpers import make_agency, triage

pytestmark = pytest.mark.django_db

UB = timezone.get_default_timezone()
OCTOBER = date(2026, 10, 1)
SECRET = "shared-secret-for-the-stand-in"
CANARY = "Канарейка-тайлан-77120"
NARRATIVE = "Тайлант сард нэг гомдлыг Авлигатай тэмцэх газарт шилжүүлэв. Нууц-тэмдэг-4411"


class KeepingStandIn(AgencyStandIn):
    """The stand-in agency, also keeping the bytes of each package it takes, so the test
    reads what the agency received."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.bodies: dict[str, bytes] = {}

    def _keep(self, key, reference, body):
        self.bodies.setdefault(key, body)
        return super()._keep(key, reference, body)


@pytest.fixture
def clock(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AGENCY_HTTP_TIMEOUT_SECONDS = 1
    # Complaints in October 2026, the report written and sent in November.
    with time_machine.travel(datetime(2026, 10, 6, 10, tzinfo=UB), tick=True) as traveller:
        yield traveller


@pytest.fixture
def standin():
    with KeepingStandIn(SECRET) as server:
        yield server


@pytest.fixture
def agencies(db, standin):
    return {
        "api": make_agency(api_url=standin.url, secret=SECRET),
        "letter": make_agency("ubeg", delivery=Agency.Delivery.LETTER, default=False,
                              kind=Agency.Kind.PARENT, name_mn="Улсын бүртгэлийн ерөнхий газар",
                              name_en="General Authority", postal_address="Улаанбаатар"),
    }


@pytest.fixture
def complaint(units, personas, clock):
    dg = units["DG"]
    logged = staff_channel_log(
        unit=dg, channel=Channel.WALK_IN, kind=Kind.COMPLAINT, received_at=timezone.now(),
        content=Content(body=f"Хээл хахууль авсан. Гэрч: {CANARY}",
                        reporter={"name": f"Дорж {CANARY}"}),
        logged_by=personas["clerk"],
    ).complaint
    triage(logged, personas["officer"], ["bribery"], corruption=True)
    return logged


@pytest.fixture
def prepared(units, personas, complaint, agencies, clock):
    clock.move_to(datetime(2026, 11, 3, 10, tzinfo=UB))
    report, _created = services.report_draft(unit=units["DG"], period=OCTOBER)
    report = services.report_narrative_save(report=report, by=personas["clerk"],
                                            narrative=NARRATIVE)
    return services.report_prepare(report=report, by=personas["clerk"])


def approve(prepared, personas):
    return services.report_approve(report=prepared, by=personas["head"])


def rows(report) -> dict[str, Outbox]:
    """The report's outbox rows, by how they travel."""
    found = {}
    for delivery in ReportDelivery.objects.filter(report=report).select_related("outbox"):
        found[delivery.outbox.delivery] = delivery.outbox
    return found


def reload(outbox: Outbox) -> Outbox:
    return Outbox.objects.get(pk=outbox.pk)


def test_approval_sends_to_the_agency_api_and_waits_for_the_letter_to_the_parent(
        prepared, personas, standin, complaint):
    report = approve(prepared, personas)

    deliveries = ReportDelivery.objects.filter(report=report)
    assert deliveries.count() == 2
    found = rows(report)
    assert set(found) == {Agency.Delivery.API, Agency.Delivery.LETTER}
    api, letter = found[Agency.Delivery.API], found[Agency.Delivery.LETTER]
    for row in (api, letter):
        assert (row.subject_kind, row.subject_id, row.subject_reference) == (
            "report", report.pk, report.reference)
    assert api.state == Outbox.State.PENDING and letter.state == Outbox.State.MANUAL

    assert deliver_outbox(api.pk) == "delivered"

    api = reload(api)
    assert api.state == Outbox.State.DELIVERED and api.attempts == 1
    assert list(DeliveryAttempt.objects.filter(outbox=api).values_list("outcome", "detail")) == [
        ("delivered", "HTTP 200")]
    body = standin.bodies[str(api.key)]
    assert hashlib.sha256(body).hexdigest() == api.package_sha256
    package = json.loads(body)
    assert package["report"] == report.reference
    assert package["document_sha256"] == report.document_sha256
    # The agency can check the hash itself: it is the SHA-256 of the document, canonical.
    canonical = json.dumps(package["document"], ensure_ascii=False, sort_keys=True,
                           separators=(",", ":")).encode()
    assert hashlib.sha256(canonical).hexdigest() == report.document_sha256
    assert package["document"]["figures"]["corruption"]["complaints"][0]["reference"] == (
        complaint.reference)
    assert package["document"]["narrative"] == NARRATIVE
    assert CANARY not in body.decode("utf-8")
    [delivered] = AuditEvent.objects.filter(action="report.delivered")
    assert delivered.details_dict["package_sha256"] == api.package_sha256
    assert delivered.details_dict["agency"] == "atg"

    # The letter is not sent by a worker; the clerk posts it and says so.
    assert deliver_outbox(letter.pk) == "not due"
    assert reload(letter).state == Outbox.State.MANUAL
    delivery = ReportDelivery.objects.get(outbox=letter)
    with pytest.raises(PermissionDenied):
        report_letter_mark_sent(delivery=delivery, by=personas["officer"], letter_number="1/42")
    with pytest.raises(ValidationError):
        report_letter_mark_sent(delivery=delivery, by=personas["clerk"], letter_number="  ")
    report_letter_mark_sent(delivery=delivery, by=personas["clerk"], letter_number="1/42")
    assert reload(letter).state == Outbox.State.DELIVERED
    assert ReportDelivery.objects.get(pk=delivery.pk).letter_number == "1/42"
    with pytest.raises(ValidationError):
        report_letter_mark_sent(delivery=delivery, by=personas["clerk"], letter_number="1/43")
    assert verify_chain().ok


def test_a_refused_report_is_a_dead_letter_the_head_is_told_of_and_can_send_again(
        prepared, personas, standin, django_capture_on_commit_callbacks):
    report = approve(prepared, personas)
    api = rows(report)[Agency.Delivery.API]
    standin.mode, standin.refuse_status = "refuse", 422

    with django_capture_on_commit_callbacks(execute=True):
        assert deliver_outbox(api.pk) == "dead"

    api = reload(api)
    assert api.state == Outbox.State.DEAD and api.last_error == "HTTP 422"
    assert deliver_outbox(api.pk) == "not due"  # a dead letter waits for the head
    [failed] = AuditEvent.objects.filter(action="report.delivery_failed")
    assert failed.details_dict["permanent"] is True and failed.details_dict["agency"] == "atg"
    [event] = Event.objects.filter(kind=Notice.REPORT_DELIVERY_FAILED)
    assert event.subject["report"] == report.pk and event.unit_id == report.unit_id
    told = set(Notification.objects.filter(event=event)
               .values_list("recipient__username", flat=True))
    assert "head" in told and "outsider" not in told

    delivery = ReportDelivery.objects.get(outbox=api)
    with pytest.raises(PermissionDenied):
        report_delivery_retry(delivery=delivery, by=personas["clerk"])
    standin.mode = "accept"
    with django_capture_on_commit_callbacks(execute=False) as queued:
        report_delivery_retry(delivery=delivery, by=personas["head"])
    api = reload(api)
    assert api.state == Outbox.State.PENDING and api.attempts == 0
    assert len(queued) == 1  # the try is queued once the retry commits
    with pytest.raises(ValidationError):
        report_delivery_retry(delivery=delivery, by=personas["head"])

    assert deliver_outbox(api.pk) == "delivered"
    assert reload(api).state == Outbox.State.DELIVERED
    # Sent again under the same key: the agency holds it once.
    assert list(standin.deliveries) == [str(api.key)] and standin.refused == 1
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="report.")
            .order_by("seq")][-3:] == ["report.delivery_failed", "report.retried",
                                       "report.delivered"]


def _task_queue_text() -> str:
    """The django-q2 queue and result tables, decoded (their payloads are signed, pickled and
    base64-encoded, so the raw bytes alone would hide a leak)."""
    queued = [repr(SignedPackage.loads(row.payload)) for row in OrmQ.objects.all()]
    results = [repr((task.name, task.func, task.args, task.kwargs, task.result))
               for task in Task.objects.all()]
    return "\n".join(queued + results)


def test_neither_the_outbox_nor_the_task_queue_holds_the_narrative_or_complaint_text(
        prepared, personas, standin, django_capture_on_commit_callbacks):
    # Committed, the approval queues the deliveries; the task queue runs them at once here.
    with django_capture_on_commit_callbacks(execute=True):
        report = approve(prepared, personas)
    api = reload(rows(report)[Agency.Delivery.API])
    assert api.state == Outbox.State.DELIVERED and str(api.key) in standin.bodies

    delivered = Task.objects.filter(func="outbox.tasks.deliver")
    assert [task.args for task in delivered] == [(api.pk,)]
    text = _task_queue_text()
    for row in Outbox.objects.filter(subject_kind="report").values():
        text += "\n" + repr(row)
    for secret in (NARRATIVE, "Нууц-тэмдэг-4411", CANARY):
        assert secret not in text
    # The sealed package on disk does not hold the narrative in the clear either.
    for row in Outbox.objects.filter(subject_kind="report"):
        sealed = (Path(settings.MEDIA_ROOT) / "vault" / row.package_name[:2]
                  / row.package_name).read_bytes()
        assert NARRATIVE.encode() not in sealed and report.reference.encode() not in sealed
