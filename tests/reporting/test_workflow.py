"""A monthly report's life, told through the demo department (DG): what its figures state for
October 2026, the clerk writing it up and the head approving it (never the same person, never
a clerk approving), the approved report frozen, a correction as a new version, and all of it
in an audit trail that still verifies. No complaint's words ever reach a report's figures or
the audit trail."""

import hashlib
import io
import json
from datetime import date, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import verify_chain
from intake.models import BoxOpening, Channel, Kind
from intake.services import Content, box_opening_record, staff_channel_log
from reporting import document, services
from reporting.models import MonthlyReport, State
from tests.routing.helpers import approved_referral, make_agency, triage

pytestmark = pytest.mark.django_db

UB = timezone.get_default_timezone()
OCTOBER = date(2026, 10, 1)
CANARY = "CANARY-тайлан-5e1d"
NARRATIVE = "Тайлант сард ирсэн гомдлыг хугацаанд нь шийдвэрлэв."


def at(day: int, month: int = 10, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UB)


@pytest.fixture(autouse=True)
def _own_checkpoint_folder(settings, tmp_path):
    """Drafting signs a checkpoint and exports its file; files left by other tests (whose
    events were rolled back) would not match this test's chain."""
    settings.DATA_DIR = tmp_path / "data"


def log(unit, clerk, day: int, month: int = 10):
    """A walk-in complaint whose every sealed field carries the canary."""
    when = at(day, month)
    with time_machine.travel(when, tick=False):
        return staff_channel_log(
            unit=unit, channel=Channel.WALK_IN, kind=Kind.COMPLAINT, received_at=when,
            content=Content(body=f"Хахууль нэхсэн. {CANARY}", subject=f"Ажилтан {CANARY}",
                            particulars={"where": f"Салбар {CANARY}"},
                            reporter={"name": f"Дорж {CANARY}", "phone": "+97699112233"}),
            logged_by=clerk,
        ).complaint


def triaged(complaint, officer, codes, *, corruption: bool, day: int = 20):
    with time_machine.travel(at(day), tick=False):
        return triage(complaint, officer, codes, corruption=corruption,
                      reason=f"Шалтгаан {CANARY}")


def drafted(unit) -> MonthlyReport:
    with time_machine.travel(at(2, 11), tick=False):
        report, created = services.report_draft(unit=unit, period=OCTOBER)
    assert created
    return report


def prepared(report, by, narrative: str = NARRATIVE) -> MonthlyReport:
    with time_machine.travel(at(3, 11), tick=False):
        report = services.report_narrative_save(report=report, by=by, narrative=narrative)
        return services.report_prepare(report=report, by=by)


def approved(report, personas) -> MonthlyReport:
    report = prepared(report, personas["clerk"])
    with time_machine.travel(at(4, 11), tick=False):
        return services.report_approve(report=report, by=personas["head"])


def reload(report) -> MonthlyReport:
    return MonthlyReport.objects.get(pk=report.pk)


def document_hash(report) -> str:
    return hashlib.sha256(document.canonical(reload(report))).hexdigest()


def figures_hash(report) -> str:
    return hashlib.sha256(json.dumps(report.figures, ensure_ascii=False, sort_keys=True,
                                     separators=(",", ":")).encode()).hexdigest()


def actions(prefix: str = "report.") -> list[str]:
    return list(AuditEvent.objects.filter(action__startswith=prefix).order_by("seq")
                .values_list("action", flat=True))


def verify_audit() -> str:
    out = io.StringIO()
    call_command("verify_audit", "--jobs", "1", stdout=out, stderr=io.StringIO())
    return out.getvalue()


# --- what the figures state ------------------------------------------------------------------

def test_a_month_without_corruption_complaints_states_the_nil_return(units, personas):
    dg = units["DG"]
    complaint = log(dg, personas["clerk"], 6)
    triaged(complaint, personas["officer"], ["service_quality"], corruption=False)
    # Another department's corruption complaint is no part of DG's month.
    other = log(units["DU"], personas["clerk"], 7)
    triaged(other, personas["outsider"], ["bribery"], corruption=True)

    figures = drafted(dg).figures

    assert figures["nil"] is True
    assert figures["corruption"] == {"count": 0, "complaints": [], "referred": 0}
    assert figures["received"]["total"] == 1
    assert figures["by_category"] == {"service_quality": 1} and figures["untriaged"] == 0


def test_a_month_with_a_corruption_complaint_is_not_nil(units, personas):
    dg = units["DG"]
    agency = make_agency()
    complaint = log(dg, personas["clerk"], 6)
    triaged(complaint, personas["officer"], ["bribery"], corruption=True)
    with time_machine.travel(at(21), tick=False):
        referral = approved_referral(complaint, personas["officer"], personas["head"], agency)

    figures = drafted(dg).figures

    assert figures["nil"] is False
    assert figures["corruption"]["count"] == 1 and figures["corruption"]["referred"] == 1
    [listed] = figures["corruption"]["complaints"]
    assert listed["reference"] == complaint.reference
    assert listed["categories"] == ["bribery"] and listed["received_on"] == "2026-10-06"
    assert [row["reference"] for row in listed["referrals"]] == [referral.reference]
    assert listed["referrals"][0]["agency"] == agency.code


def test_box_openings_with_no_slips_are_shown(units, personas):
    dg = units["DG"]
    for day, box in ((5, BoxOpening.Box.COMPLAINT), (26, BoxOpening.Box.SUGGESTION)):
        with time_machine.travel(at(day), tick=False):
            box_opening_record(unit=dg, box=box, opened_at=at(day),
                               opened_by=personas["clerk"], witness=personas["officer"],
                               slip_count=0, recorded_by=personas["clerk"])

    figures = drafted(dg).figures

    assert figures["nil"] is True and figures["received"]["total"] == 0
    assert figures["box_openings"] == {
        "count": 2, "empty": 2, "slips": 0,
        "items": [{"box": "complaint_box", "opened_on": "2026-10-05", "slips": 0},
                  {"box": "suggestion_box", "opened_on": "2026-10-26", "slips": 0}],
    }


# --- who may do what ---------------------------------------------------------------------

def test_the_person_who_prepared_a_report_cannot_approve_it(units, personas):
    report = prepared(drafted(units["DG"]), personas["head"])
    with pytest.raises(ValidationError) as refused:
        services.report_approve(report=report, by=personas["head"])
    assert refused.value.code == "same_person"
    assert reload(report).state == State.PREPARED
    assert "report.approved" not in actions()


@pytest.mark.parametrize("who", ["clerk", "officer", "auditor", "outsider", "national_head"])
def test_only_the_units_head_approves(units, personas, who):
    report = prepared(drafted(units["DG"]), personas["clerk"])
    with pytest.raises(PermissionDenied):
        services.report_approve(report=report, by=personas[who])
    assert reload(report).state == State.PREPARED and reload(report).approved_by is None


def test_an_outsider_cannot_draft_or_edit_a_report(units, personas):
    report = drafted(units["DG"])
    with time_machine.travel(at(3, 11), tick=False):
        with pytest.raises(PermissionDenied):
            services.report_draft(unit=units["DG"], period=OCTOBER, by=personas["outsider"])
        with pytest.raises(PermissionDenied):
            services.report_narrative_save(report=report, by=personas["outsider"], narrative="x")
        with pytest.raises(PermissionDenied):
            services.report_prepare(report=report, by=personas["officer"])


def test_an_approved_report_cannot_be_changed(units, personas):
    report = approved(drafted(units["DG"]), personas)
    fields = ("state", "figures", "figures_at", "prepared_by", "prepared_at", "approved_by",
              "approved_at", "document_sha256", "version", "reference")
    before = MonthlyReport.objects.filter(pk=report.pk).values(*fields).get()
    events = AuditEvent.objects.count()

    with time_machine.travel(at(10, 11), tick=False):
        for attempt in (
            lambda: services.report_narrative_save(report=report, by=personas["clerk"],
                                            narrative="Өөрчилсөн текст"),
            lambda: services.report_prepare(report=report, by=personas["clerk"]),
            lambda: services.report_send_back(report=report, by=personas["head"], reason="Дахин"),
            lambda: services.report_approve(report=report, by=personas["head"]),
        ):
            with pytest.raises(ValidationError):
                attempt()

    assert MonthlyReport.objects.filter(pk=report.pk).values(*fields).get() == before
    assert reload(report).narrative.reveal() == NARRATIVE
    assert AuditEvent.objects.count() == events
    assert document_hash(report) == before["document_sha256"]


def test_a_prepared_report_sent_back_is_a_draft_again(units, personas):
    report = prepared(drafted(units["DG"]), personas["clerk"])
    with pytest.raises(PermissionDenied):
        services.report_send_back(report=report, by=personas["clerk"], reason="Дахин")
    with pytest.raises(ValidationError):
        services.report_send_back(report=report, by=personas["head"], reason="  ")
    report = services.report_send_back(report=report, by=personas["head"], reason="Тоо шалга")
    assert reload(report).state == State.DRAFT and reload(report).prepared_by is None
    with pytest.raises(ValidationError):
        services.report_approve(report=report, by=personas["head"])


# --- approval, correction and the audit trail ---------------------------------------------

def test_a_correction_is_a_new_version_pointing_to_the_approved_one(units, personas):
    dg = units["DG"]
    complaint = log(dg, personas["clerk"], 6)
    triaged(complaint, personas["officer"], ["bribery"], corruption=True)
    first = approved(drafted(dg), personas)
    first_hash = first.document_sha256
    assert len(first_hash) == 64 and document_hash(first) == first_hash

    with time_machine.travel(at(12, 11), tick=False):
        with pytest.raises(ValidationError):  # a correction needs its reason
            services.report_correct(report=first, by=personas["clerk"], reason=" ")
        second = services.report_correct(report=first, by=personas["clerk"],
                                  reason="Нэг гомдлын ангилал буруу")
    assert second.pk != first.pk and second.version == 2
    assert second.supersedes_id == first.pk and second.reference == "DG-T-2026-10-v2"
    assert second.state == State.DRAFT and second.narrative.reveal() == NARRATIVE
    assert services.current(dg, OCTOBER).pk == second.pk

    # The approved version stays exactly as it was.
    old = reload(first)
    assert old.state == State.APPROVED and old.document_sha256 == first_hash
    assert document_hash(old) == first_hash

    with time_machine.travel(at(12, 11), tick=False):
        with pytest.raises(ValidationError):  # only the latest version is corrected
            services.report_correct(report=first, by=personas["clerk"], reason="Дахин")
        with pytest.raises(ValidationError):  # a draft is edited, not corrected
            services.report_correct(report=second, by=personas["clerk"], reason="Дахин")
    second = prepared(second, personas["clerk"], NARRATIVE + " Засвар.")
    with time_machine.travel(at(13, 11), tick=False):
        second = services.report_approve(report=second, by=personas["head"])
    assert document_hash(second) == second.document_sha256 != first_hash
    assert json.loads(document.canonical(reload(second)))["supersedes"] == first.reference

    approvals = [event.details_dict for event in
                 AuditEvent.objects.filter(action="report.approved").order_by("seq")]
    assert [(d["report"], d["document_sha256"], d["figures_sha256"]) for d in approvals] == [
        (first.reference, first_hash, figures_hash(reload(first))),
        (second.reference, second.document_sha256, figures_hash(reload(second))),
    ]
    for details in approvals:
        assert details["figures"]["nil"] is False
        assert details["figures"]["corruption"] == {"count": 1, "referred": 0}
        assert details["figures"]["received"] == reload(first).figures["received"]
        assert details["figures"]["clocks"] == reload(first).figures["clocks"]
    assert approvals[1]["supersedes"] == first.reference
    [corrected] = AuditEvent.objects.filter(action="report.corrected")
    assert corrected.details_dict["supersedes"] == first.reference
    assert corrected.details_dict["supersedes_sha256"] == first_hash
    assert corrected.details_dict["report"] == second.reference
    assert actions() == ["report.drafted", "report.edited", "report.prepared",
                         "report.approved", "report.corrected", "report.edited",
                         "report.prepared", "report.approved"]
    assert verify_chain().ok
    assert "Audit trail intact" in verify_audit()


def test_a_busy_month_is_approved_and_audited_by_its_counts(units, personas):
    """An audit event holds at most 4,000 characters: the audit trail keeps every count and
    the figures' hash, the frozen report (covered by the document hash) keeps the lists."""
    dg = units["DG"]
    agency = make_agency()
    for day in range(1, 15):
        complaint = log(dg, personas["clerk"], day)
        triaged(complaint, personas["officer"], ["bribery", "abuse_of_office"],
                corruption=True)
        with time_machine.travel(at(29), tick=False):
            approved_referral(complaint, personas["officer"], personas["head"], agency)
        with time_machine.travel(at(day), tick=False):
            box_opening_record(unit=dg, box=BoxOpening.Box.COMPLAINT, opened_at=at(day),
                               opened_by=personas["clerk"], witness=personas["officer"],
                               slip_count=day % 3, recorded_by=personas["clerk"])

    report = approved(drafted(dg), personas)

    assert len(report.figures["corruption"]["complaints"]) == 14
    [event] = AuditEvent.objects.filter(action="report.approved")
    audited = event.details_dict["figures"]
    assert audited["corruption"] == {"count": 14, "referred": 14}
    assert audited["box_openings"] == {"count": 14, "empty": 4, "slips": 15}
    assert audited["by_category"] == {"bribery": 14, "abuse_of_office": 14}
    assert audited["earlier_referrals"] == 0
    assert event.details_dict["figures_sha256"] == figures_hash(report)
    assert document_hash(report) == report.document_sha256
    assert verify_chain().ok


def test_no_complaint_text_reaches_the_figures_or_the_audit_trail(units, personas):
    dg = units["DG"]
    agency = make_agency()
    complaint = log(dg, personas["clerk"], 6)
    triaged(complaint, personas["officer"], ["bribery"], corruption=True)
    with time_machine.travel(at(21), tick=False):
        approved_referral(complaint, personas["officer"], personas["head"], agency)
    report = approved(drafted(dg), personas)
    with time_machine.travel(at(12, 11), tick=False):
        services.report_correct(report=report, by=personas["clerk"], reason="Засвар")

    for stored in MonthlyReport.objects.all():
        text = json.dumps(stored.figures, ensure_ascii=False)
        assert complaint.reference in text or stored.figures["nil"]
        assert CANARY not in text
    for details in AuditEvent.objects.values_list("details", flat=True):
        # Read back, so that text stored with \u escapes is compared as what it says.
        text = json.dumps(json.loads(details), ensure_ascii=False)
        assert CANARY not in text
        assert NARRATIVE not in text  # the narrative is audited by its hash only
