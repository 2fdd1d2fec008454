"""The monthly reports' URLs and who may use them, in the shape of
tests.org.test_access.STAFF_PAGES: (url name, its arguments, who may), with the method
appended for POST-only URLs. Unlike most unit pages, the reports are read by the clerks,
heads and auditors of the units above too, so `national_head` (head of UBEG, above DG) is
among the readers, and is refused with 403, not 404, where only DG's staff may act.

`make_report` puts DG's October 2026 report in the state an action needs, through the
workflows, so that the people allowed get through (a redirect) and the rest are refused
with nothing changed.
"""

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from audit.models import AuditEvent
from intake.models import Channel, Kind
from intake.services import Content, staff_channel_log
from outbox.models import Agency, Outbox
from reporting import services
from reporting.models import MonthlyReport, ReportDelivery
from tests.routing.helpers import make_agency

UB = ZoneInfo("Asia/Ulaanbaatar")
# Complaints come in October 2026; the report on October is drafted and acted on in
# November, before its due day (the 5th working day, 6 November).
RECEIVED = datetime(2026, 10, 6, 10, 0, tzinfo=UB)
NOW = datetime(2026, 11, 3, 10, 0, tzinfo=UB)
OCTOBER = date(2026, 10, 1)
MONTH = "2026-10"
DELIVERY_UID = uuid.UUID("0b9d6a55-7c3e-4f0e-8f51-5a7d2c1e9b40")

READERS = {"clerk", "officer", "head", "auditor", "national_head"}
WRITERS = {"clerk", "head"}
APPROVERS = {"head"}

ON_MONTH = {"unit_code": "DG", "month": MONTH}
ON_DELIVERY = {**ON_MONTH, "uid": DELIVERY_UID}

PAGES = [
    ("reporting:index", {"unit_code": "DG"}, READERS),
    ("reporting:month", ON_MONTH, READERS),
    ("reporting:consolidated", ON_MONTH, READERS),
    ("reporting:quarter", {"unit_code": "DG", "quarter": "2026-Q4"}, READERS),
    ("reporting:export", {**ON_MONTH, "fmt": "csv"}, READERS),
    ("reporting:quarter_export", {"unit_code": "DG", "quarter": "2026-Q4", "fmt": "csv"},
     READERS),
    ("reporting:draft", {"unit_code": "DG"}, WRITERS, "post"),
    ("reporting:narrative", ON_MONTH, WRITERS, "post"),
    ("reporting:prepare", ON_MONTH, WRITERS, "post"),
    ("reporting:approve", ON_MONTH, APPROVERS, "post"),
    ("reporting:send_back", ON_MONTH, APPROVERS, "post"),
    ("reporting:correct", ON_MONTH, WRITERS, "post"),
    ("reporting:letter_sent", ON_DELIVERY, WRITERS, "post"),
    ("reporting:retry", ON_DELIVERY, APPROVERS, "post"),
]

# The state of DG's October report each URL needs to succeed (GET pages: approved, with a
# delivery), and a valid body for each POST.
NEEDS = {
    "reporting:draft": None,
    "reporting:narrative": "draft",
    "reporting:prepare": "draft",
    "reporting:approve": "prepared",
    "reporting:send_back": "prepared",
    "reporting:letter_sent": "approved",
    "reporting:retry": "dead",
}
POST_DATA = {
    "reporting:draft": {"month": "2026-09"},
    "reporting:narrative": {"narrative-version": "1", "narrative-narrative": "Тайлбар."},
    "reporting:prepare": {"version": "1"},
    "reporting:approve": {"version": "1"},
    "reporting:send_back": {"send_back-version": "1", "send_back-reason": "Дутуу."},
    "reporting:correct": {"correct-version": "1", "correct-reason": "Тоо буруу."},
    "reporting:letter_sent": {"letter-{delivery}-letter_number": "01/77"},
    "reporting:retry": {},
}


def method_of(page) -> str:
    return page[3] if len(page) > 3 else "get"


def expected_status(persona: str, allowed: set, method: str = "get") -> set[int]:
    if persona in allowed:
        return {302} if method == "post" else {200}
    if persona == "outsider":  # DU's officer: no say in DG at all
        return {404}
    return {403}


def post_data(name: str) -> dict:
    delivery = ReportDelivery.objects.order_by("pk").first()
    return {key.replace("{delivery}", str(delivery.pk) if delivery else ""): value
            for key, value in POST_DATA[name].items()}


def log_complaint(unit, clerk, *, received=RECEIVED, body="Үйлчилгээ удаан байна.",
                  channel=Channel.WALK_IN):
    """A walk-in complaint received at `received` (the clock moved there to log it)."""
    with time_machine.travel(received, tick=False):
        return staff_channel_log(
            unit=unit, channel=channel, kind=Kind.COMPLAINT, received_at=received,
            content=Content(body=body), logged_by=clerk,
        ).complaint


def letter_agency() -> Agency:
    """The anti-corruption agency, taking reports by post: an approved report then waits
    for the clerk to send the letter (a MANUAL delivery)."""
    return make_agency("atg", delivery=Agency.Delivery.LETTER,
                       postal_address="Улаанбаатар, Чингэлтэй дүүрэг")


def make_report(units, personas, state: str | None = "approved") -> MonthlyReport | None:
    """DG's October report in `state`: draft, prepared (by the clerk), approved (by the head,
    sent by letter, its delivery's uid DELIVERY_UID) or dead (approved, its delivery given
    up). None makes only the complaint."""
    log_complaint(units["DG"], personas["clerk"])
    if state is None:
        return None
    letter_agency()
    report, _created = services.report_draft(unit=units["DG"], period=OCTOBER, by=personas["clerk"])
    if state == "draft":
        return report
    report = services.report_prepare(report=report, by=personas["clerk"])
    if state == "prepared":
        return report
    report = services.report_approve(report=report, by=personas["head"])
    delivery = report.deliveries.get()
    ReportDelivery.objects.filter(pk=delivery.pk).update(uid=DELIVERY_UID)
    if state == "dead":
        Outbox.objects.filter(pk=delivery.outbox_id).update(
            state=Outbox.State.DEAD, attempts=8, last_error="connection refused")
    return report


def snapshot() -> tuple:
    """What a refused action must leave as it was."""
    return (AuditEvent.objects.count(),
            list(MonthlyReport.objects.order_by("pk").values_list("version", "state",
                                                                  "figures_at")),
            list(Outbox.objects.order_by("pk").values_list("state", "attempts")),
            list(ReportDelivery.objects.order_by("pk").values_list("letter_number")))
