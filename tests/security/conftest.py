"""One world for the security tests: unit DG with its case, referrals, box opening, monthly
report and delivery (as the per-app page tables expect them), the same kinds of records in
unit DU, a DG officer recused from DG's case, and DU's own clerk and head.

Objects of each unit are what the other unit's URLs are tried with (object-level leaks).
"""

import io
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from intake.models import Attachment, BoxOpening, Channel, Complaint, Kind, Recusal
from intake.services import Content, attachment_context, box_opening_record, staff_channel_log
from notify.events import emit
from notify.models import Kind as NotificationKind
from notify.models import Notification
from org.models import Role
from outbox.models import Agency
from reporting import services as reports
from reporting.models import ReportDelivery
from routing.models import Referral
from tests.conftest import make_staff
from tests.intake import pages_case, pages_channels
from tests.plans import pages_plans
from tests.reporting import pages_reporting
from tests.routing import pages_referral
from tests.routing.helpers import approved_referral, make_agency
from tests.surveys import pages_surveys
from vault.files import save_encrypted

UB = pages_case.UB
# The matrix runs in November 2026, when DG's October report exists; the cases were
# logged in March (pages_case.NOW), so that DG's case has the tables' reference.
MATRIX_NOW = pages_reporting.NOW
DU_FILE_UID = uuid.UUID("a4c7d3e2-51b0-4f7e-9c3d-7e1f0b2a6d58")
DU_DELIVERY_UID = uuid.UUID("c2e8f1a9-0d3b-4b6e-a7f2-9e4d5c3b1a07")


@dataclass
class UnitObjects:
    """The identifiers a URL may name, for one unit's records."""

    reference: str
    file_uid: uuid.UUID
    number: str  # a referral
    letter: str  # a referral waiting to be printed and posted
    opening_id: int
    complaint_id: int
    delivery_uid: uuid.UUID
    notification_id: int
    def identifiers(self) -> list[str]:
        return [self.reference, str(self.file_uid), self.number, self.letter,
                str(self.delivery_uid)]


@dataclass
class World:
    dg: UnitObjects
    du: UnitObjects
    people: dict  # personas plus recused, du_clerk, du_head
    recused_from: list[str]  # the DG cases `recused` may not see
    agency: Agency
    police: Agency


def _file(complaint, uid) -> Attachment:
    stored = save_encrypted(io.BytesIO(b"%PDF-1.7 slip"), data_key=complaint.data_key,
                            context=attachment_context(complaint))
    attachment = Attachment(uid=uid, complaint=complaint, data_key=complaint.data_key,
                            stored_name=stored.name, content_type="application/pdf",
                            size=stored.size, sha256=stored.sha256)
    attachment.filename = "slip.pdf"
    attachment.save()
    return attachment


def _approved_report(unit, clerk, head, uid):
    """`unit`'s October 2026 report, approved, its delivery given `uid`."""
    pages_reporting.log_complaint(unit, clerk)
    report, _created = reports.report_draft(unit=unit, period=pages_reporting.OCTOBER, by=clerk)
    report = reports.report_prepare(report=report, by=clerk)
    report = reports.report_approve(report=report, by=head)
    delivery = report.deliveries.order_by("pk").first()
    ReportDelivery.objects.filter(pk=delivery.pk).update(uid=uid)
    return report


def _notification_for(user, unit) -> int:
    emit(NotificationKind.CLOCK_OVERDUE, unit=unit, subject={}, users=[user.pk], roles=[])
    return Notification.objects.filter(recipient=user).order_by("-pk").values_list(
        "pk", flat=True).first()


def build_world(units, personas) -> World:
    people = dict(personas)
    dg, du = units["DG"], units["DU"]
    people["du_clerk"] = make_staff("du_clerk", du, Role.CLERK)
    people["du_head"] = make_staff("du_head", du, Role.HEAD)
    with time_machine.travel(pages_case.NOW, tick=False):
        # DG-2026-00001 with file FILE_UID, R1 (failed) and R2 (awaiting approval).
        dg_case, police = pages_referral.make_referral_case(units, personas)
        agency = Agency.objects.get(code="atg")
        dg_records = pages_channels.make_records(personas, units)
        prosecutor = make_agency(
            "prosecutor", delivery=Agency.Delivery.LETTER, kind=Agency.Kind.PROSECUTOR,
            name_mn="Аймгийн прокурорын газар", name_en="Province Prosecutor's Office",
            postal_address="Сайншанд сум, 1-р баг", default=False,
        )
        dg_letter_case = Complaint.objects.get(pk=dg_records["complaint"])
        dg_letter = approved_referral(dg_letter_case, personas["officer"], personas["head"],
                                      prosecutor)
        # Joins after the cases came in, so their notifications are not theirs either.
        people["recused"] = make_staff("recused", dg, Role.OFFICER)
        for case in (dg_case, dg_letter_case):
            Recusal.objects.create(complaint=case, user=people["recused"])
        du_case = staff_channel_log(
            unit=du, channel=Channel.LETTER, kind=Kind.COMPLAINT,
            received_at=pages_case.RECEIVED, content=Content(body="Дундговийн гомдол."),
            logged_by=people["du_clerk"],
        ).complaint
        _file(du_case, DU_FILE_UID)
        du_referral = approved_referral(du_case, personas["outsider"], people["du_head"],
                                        agency)
        du_letter = staff_channel_log(
            unit=du, channel=Channel.LETTER, kind=Kind.COMPLAINT,
            received_at=pages_case.RECEIVED, content=Content(body="Өөр нэг гомдол."),
            logged_by=people["du_clerk"],
        ).complaint
        du_letter_referral = approved_referral(du_letter, personas["outsider"],
                                               people["du_head"], prosecutor)
        du_opening = box_opening_record(
            unit=du, box=BoxOpening.Box.COMPLAINT, opened_at=timezone.now() - timedelta(hours=1),
            opened_by=people["du_clerk"], witness=personas["outsider"], slip_count=1,
            recorded_by=people["du_clerk"],
        )
    with time_machine.travel(MATRIX_NOW, tick=False):
        _approved_report(dg, personas["clerk"], personas["head"], pages_reporting.DELIVERY_UID)
        _approved_report(du, people["du_clerk"], people["du_head"], DU_DELIVERY_UID)
        pages_plans.make_plan_world(units, personas)
        dg_note = _notification_for(personas["head"], dg)
        pages_surveys.make_round(dg, personas["clerk"])
        du_note = _notification_for(personas["outsider"], du)
    return World(
        dg=UnitObjects(
            reference=dg_case.reference, file_uid=pages_case.FILE_UID,
            number=pages_referral.R1["number"], letter=dg_letter.reference,
            opening_id=dg_records["opening"],
            complaint_id=dg_records["complaint"], delivery_uid=pages_reporting.DELIVERY_UID,
            notification_id=dg_note,
        ),
        du=UnitObjects(
            reference=du_case.reference, file_uid=DU_FILE_UID, number=du_referral.reference,
            letter=du_letter_referral.reference,
            opening_id=du_opening.pk, complaint_id=du_case.pk, delivery_uid=DU_DELIVERY_UID,
            notification_id=du_note,
        ),
        people=people, recused_from=[dg_case.reference, dg_letter_case.reference],
        agency=agency, police=police,
    )


def world_records(units, personas) -> dict:
    """The world, for tests.shared_data.shared_records: the modules that use it build it
    once, each with

        _records, _built, units, personas, world = shared_records(
            world_records, keys=["world"], at=MATRIX_NOW)
    """
    cache.clear()
    made = build_world(units, personas)
    assert Referral.objects.filter(unit=units["DU"]).exists()
    assert Complaint.objects.filter(reference=made.dg.reference).exists()
    return {"world": made}


@pytest.fixture
def at_matrix_time():
    with time_machine.travel(MATRIX_NOW, tick=True):
        yield


def ulaanbaatar(*args) -> datetime:
    return datetime(*args, tzinfo=UB)
