"""An approved implementation report on its way to the anti-corruption agency and the parent
authority's agency (reporting.services.recipients_of, as for the monthly reports), through
the outbox. The package is the document as JSON with its hash; the outbox calls back here
(SUBJECT, registered in plans.apps) when a delivery arrives or is given up.
"""

import dataclasses
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import SYSTEM, record
from outbox.models import Outbox
from outbox.services import outbox_enqueue
from outbox.subjects import Subject
from plans.document import build
from plans.models import PlanReport
from reporting.access import may_write, writes
from reporting.services import recipients_of
from routing.letters.waiting import WaitingLetter
from vault.models import DataKey

OUTBOX_KIND = "plan_report"
FORMAT = 1


def reference_of(report: PlanReport) -> str:
    """The report's name in the outbox and in the agency's files: DG-AP-2026-year-v1."""
    return f"{report.unit.code}-AP-{report.year}-{report.period_key}-v{report.version}"


def package(report: PlanReport) -> bytes:
    """The document as the agencies receive it: every line with its figures and level."""
    document = dataclasses.asdict(build(report))
    lines = [{"measure": p.measure.number, "level": p.level, "figures": p.figures}
             for p in report.performances.select_related("measure")]
    return json.dumps({"format": FORMAT, "report": reference_of(report),
                       "document_sha256": report.document_sha256, "document": document,
                       "measures": lines}, ensure_ascii=False, sort_keys=True,
                      indent=1).encode("utf-8")


def report_enqueue(report: PlanReport) -> list[str]:
    """Queue the approved `report` for each recipient, in the caller's transaction (inside
    vault.files.atomic_with_files); returns the agencies' codes."""
    data, codes = package(report), []
    for agency in recipients_of(report.unit):
        outbox_enqueue(kind=OUTBOX_KIND, subject_id=report.pk, reference=reference_of(report),
                       agency=agency, data_key=DataKey.objects.create_fresh(), data=data)
        codes.append(agency.code)
    return codes


def deliveries_of(report: PlanReport):
    return (Outbox.objects.filter(subject_kind=OUTBOX_KIND, subject_id=report.pk)
            .select_related("agency").order_by("pk"))


def _report(outbox_row: Outbox) -> PlanReport:
    return PlanReport.objects.select_related("unit").get(pk=outbox_row.subject_id)


def _delivered(outbox_row: Outbox, now) -> None:
    report = _report(outbox_row)
    record(actor=SYSTEM, action="plan.report_delivered", target=report, unit=report.unit,
           details={"agency": outbox_row.agency.code, "attempts": outbox_row.attempts})


def _dead(outbox_row: Outbox, detail: str, permanent: bool) -> None:
    report = _report(outbox_row)
    record(actor=SYSTEM, action="plan.report_delivery_failed", target=report,
           unit=report.unit, details={"agency": outbox_row.agency.code,
                                      "attempts": outbox_row.attempts, "error": detail})


def _email_subject(outbox_row: Outbox) -> str:
    return _("Anti-corruption plan implementation report %(reference)s") % {
        "reference": outbox_row.subject_reference}


SUBJECT = Subject(kind=OUTBOX_KIND, email_subject=_email_subject, delivered=_delivered,
                  dead=_dead)


# --- agencies that take letters ----------------------------------------------------------

@transaction.atomic
def plan_letter_mark_sent(*, report: PlanReport, outbox_id: int, by,
                          letter_number: str) -> Outbox:
    """The clerk posted the printed report to an agency that takes letters."""
    row = (Outbox.objects.select_for_update().select_related("agency")
           .filter(pk=outbox_id, subject_kind=OUTBOX_KIND, subject_id=report.pk).first())
    if row is None or not may_write(by, report.unit):
        raise ValidationError(_("You cannot do this for this unit's report."), code="refused")
    if row.state != Outbox.State.MANUAL:
        raise ValidationError(_("This report was not waiting to be posted."), code="state")
    number = letter_number.strip()[:64]
    if not number:
        raise ValidationError(_("Enter the letter's number."), code="letter_number")
    row.state, row.delivered_at = Outbox.State.DELIVERED, timezone.now()
    row.save(update_fields=["state", "delivered_at"])
    record(actor=by, action="plan.report_letter_sent", target=report, unit=report.unit,
           details={"agency": row.agency.code, "letter_number": number})
    return row


def letters_to_post(unit, roles: set[str]) -> list[WaitingLetter]:
    """The unit's approved implementation reports waiting for their printed letter, for
    routing's list of outgoing letters (routing.letters.waiting); writers only."""
    if not writes(roles):
        return []
    waiting = Outbox.objects.filter(subject_kind=OUTBOX_KIND, state=Outbox.State.MANUAL,
                                    subject_id__in=PlanReport.objects.filter(unit=unit)
                                    .values("pk")).select_related("agency").order_by("pk")
    reports = PlanReport.objects.in_bulk([row.subject_id for row in waiting])
    return [WaitingLetter(
        reference=row.subject_reference, what=_("Anti-corruption plan implementation report"),
        recipient=row.agency.name, approved_at=reports[row.subject_id].approved_at,
        url=reverse("plans:report", kwargs={
            "unit_code": unit.code, "year": reports[row.subject_id].year,
            "period": reports[row.subject_id].period_key}) + f"#letter-{row.pk}",
    ) for row in waiting]
