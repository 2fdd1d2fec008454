"""A working month in unit DG, made through the real workflows, so that the audit trail holds
the events the apps really write: a letter logged, acknowledged, read, answered, noted,
triaged, referred and approved, extended, closed, put on legal hold and released; a box
opening with a witness; a monthly report drafted, written and approved."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from intake.case.services import (
    case_note_add,
    case_read,
    complaint_acknowledge,
    complaint_close,
    resolve_due_extend,
    staff_reply_send,
)
from intake.models import BoxOpening
from intake.services import box_opening_record
from lifecycle.retention import legal_hold_place, legal_hold_release
from org.models import Membership
from reporting import services as reports
from routing.models import Agency
from tests.intake.pages_case import REFERENCE, make_case
from tests.reporting.pages_reporting import OCTOBER, log_complaint
from tests.routing.helpers import approved_referral, make_agency

UB = ZoneInfo("Asia/Ulaanbaatar")
NOW = datetime(2026, 11, 10, 11, 0, tzinfo=UB)
POSITIONS = {"clerk": "Архив, бичиг хэргийн эрхлэгч", "head": "Хэлтсийн дарга"}


def working_month(units, personas) -> dict:
    """Returns the complaint, the box opening and the report it made."""
    for role, position in POSITIONS.items():
        Membership.objects.filter(user=personas[role]).update(position=position)
    clerk, officer, head = personas["clerk"], personas["officer"], personas["head"]
    with time_machine.travel(datetime(2026, 3, 20, 12, 0, tzinfo=UB), tick=False):
        complaint = make_case(units, personas)
        assert complaint.reference == REFERENCE
        complaint = complaint_acknowledge(complaint=complaint, by=officer)
        case_read(complaint=complaint, reader=officer)
        staff_reply_send(complaint=complaint, body="Бид шалгаж байна.", by=officer)
        case_note_add(complaint=complaint, body="Гэрчээс асуух.", by=officer)
        agency = make_agency("atg", delivery=Agency.Delivery.LETTER,
                             postal_address="Улаанбаатар, Чингэлтэй дүүрэг")
        approved_referral(complaint, officer, head, agency)
        complaint = resolve_due_extend(complaint=complaint, reason="Нэмэлт шалгалт.", by=head)
        complaint = complaint_close(complaint=complaint, reason="Шийдвэрлэсэн.", by=officer)
        legal_hold_place(complaint=complaint, by=head)
        legal_hold_release(complaint=complaint, by=head)
    with time_machine.travel(NOW, tick=False):
        opening = box_opening_record(
            unit=units["DG"], box=BoxOpening.Box.COMPLAINT, opened_at=NOW,
            opened_by=clerk, witness=officer, slip_count=0, recorded_by=clerk)
    log_complaint(units["DG"], clerk)
    with time_machine.travel(NOW, tick=False):
        report, _created = reports.report_draft(unit=units["DG"], period=OCTOBER, by=clerk)
        report = reports.report_prepare(report=report, by=clerk)
        report = reports.report_approve(report=report, by=head)
    return {"complaint": complaint, "opening": opening, "report": report}
