"""A report after approval: its deliveries through routing's outbox. The outbox calls back
here (SUBJECT, registered in reporting.apps) when a delivery arrives or is given up; the
clerk marks a printed report posted; the head sends a given-up delivery once more.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import SYSTEM, record
from notify.models import Kind as Notice
from org.models import Role
from outbox.models import Outbox
from outbox.services import outbox_retry
from outbox.subjects import Subject
from reporting.access import WRITERS, require, roles_in, writes
from reporting.models import ReportDelivery
from reporting.services import OUTBOX_KIND, tell
from routing.letters.waiting import WaitingLetter


def _delivery(outbox_row: Outbox) -> ReportDelivery:
    return ReportDelivery.objects.select_related("report__unit").get(outbox=outbox_row)


def _delivered(outbox_row: Outbox, now) -> None:
    delivery = _delivery(outbox_row)
    report = delivery.report
    record(actor=SYSTEM, action="report.delivered", target=report, unit=report.unit,
           details={"report": report.reference, "agency": outbox_row.agency.code,
                    "attempts": outbox_row.attempts, "delivery": outbox_row.delivery,
                    "package_sha256": outbox_row.package_sha256})


def _dead(outbox_row: Outbox, detail: str, permanent: bool) -> None:
    report = _delivery(outbox_row).report
    record(actor=SYSTEM, action="report.delivery_failed", target=report, unit=report.unit,
           details={"report": report.reference, "agency": outbox_row.agency.code,
                    "attempts": outbox_row.attempts, "error": detail, "permanent": permanent})
    tell(Notice.REPORT_DELIVERY_FAILED, report)


def _email_subject(outbox_row: Outbox) -> str:
    return _("Monthly report %(reference)s") % {"reference": outbox_row.subject_reference}


SUBJECT = Subject(kind=OUTBOX_KIND, email_subject=_email_subject,
                         delivered=_delivered, dead=_dead)


def _locked_delivery(delivery: ReportDelivery, by, roles) -> tuple[ReportDelivery, Outbox]:
    delivery = (ReportDelivery.objects.select_for_update().select_related("report__unit")
                .get(pk=delivery.pk))
    require(bool(roles_in(by, [delivery.report.unit]) & set(roles)),
             _("You cannot do this for this unit's report."))
    return delivery, Outbox.objects.select_for_update().select_related("agency").get(
        pk=delivery.outbox_id)


@transaction.atomic
def report_letter_mark_sent(*, delivery: ReportDelivery, by, letter_number: str) -> ReportDelivery:
    """The clerk posted the printed report to an agency that takes letters."""
    delivery, row = _locked_delivery(delivery, by, WRITERS)
    if row.state != Outbox.State.MANUAL:
        raise ValidationError(_("This report was not waiting to be posted."), code="state")
    if not letter_number.strip():
        raise ValidationError(_("Enter the letter's number."), code="letter_number")
    now = timezone.now()
    row.state, row.delivered_at = Outbox.State.DELIVERED, now
    row.save(update_fields=["state", "delivered_at"])
    delivery.letter_number = letter_number.strip()[:64]
    delivery.save(update_fields=["letter_number"])
    record(actor=by, action="report.letter_sent", target=delivery.report,
           unit=delivery.report.unit,
           details={"report": delivery.report.reference, "agency": row.agency.code,
                    "letter_number": delivery.letter_number})
    return delivery


@transaction.atomic
def report_delivery_retry(*, delivery: ReportDelivery, by) -> ReportDelivery:
    """The head sends a report whose delivery was given up once more (same key)."""
    delivery, row = _locked_delivery(delivery, by, (Role.HEAD,))
    if row.state != Outbox.State.DEAD:
        raise ValidationError(_("Only a delivery that failed can be tried again."),
                              code="state")
    record(actor=by, action="report.retried", target=delivery.report,
           unit=delivery.report.unit,
           details={"report": delivery.report.reference, "agency": row.agency.code,
                    "last_error": row.last_error})
    outbox_retry(outbox=row)
    return delivery


def letters_to_post(unit, roles: set[str]) -> list[WaitingLetter]:
    """The unit's approved reports waiting for their printed letter (a recipient that takes
    them by post), for routing's list of outgoing letters (routing.letters.waiting): where
    the clerk looks for what to post. Only the report's writers are shown them; the letter
    is printed and marked sent on the report's own page."""
    if not writes(roles):
        return []
    waiting = (ReportDelivery.objects
               .filter(report__unit=unit, outbox__state=Outbox.State.MANUAL)
               .select_related("report", "outbox__agency").order_by("report__period", "pk"))
    return [WaitingLetter(
        reference=delivery.report.reference, what=_("Monthly report"),
        recipient=delivery.outbox.agency.name, approved_at=delivery.report.approved_at,
        url=reverse("reporting:month", kwargs={"unit_code": unit.code,
                                               "month": delivery.report.month})
        + f"#letter-{delivery.uid}",
    ) for delivery in waiting]
