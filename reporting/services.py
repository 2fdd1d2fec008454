"""The monthly report's life: drafted (by the schedule on the 1st or on demand), prepared by
the clerk ("ТАЙЛАН БИЧСЭН"), approved by the head ("ТАЙЛАН ХЯНАСАН"), two different people;
frozen at approval, with its figures and the hash of its document in the audit trail, then
queued for the anti-corruption agency and the parent unit's agency in the outbox
(what happens to it there is reporting.deliveries). A correction is a new version pointing
to the one it corrects. Who may do each step is reporting.access.

Every change is one transaction with its audit event; the narrative is sealed, and only its
hash and length are audited (it may mention a case).
"""

import hashlib
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import SYSTEM, make_checkpoint, record
from notify.events import emit
from notify.models import Kind as Notice
from org.calendar import WorkingCalendar
from org.models import Unit
from outbox.models import Agency
from outbox.services import outbox_enqueue
from reporting import document
from reporting.access import may_approve, may_write, require
from reporting.figures import checkpoint, month_period, period_figures
from reporting.models import MonthlyReport, ReportDelivery, State
from vault.files import atomic_with_files
from vault.models import DataKey

OUTBOX_KIND = "report"


# --- periods and references ---------------------------------------------------------------

def last_month(today: date | None = None) -> date:
    today = today or timezone.localdate()
    return month_period(today.replace(day=1) - timezone.timedelta(days=1)).first


def due_day(unit: Unit, period: date, calendar: WorkingCalendar | None = None) -> date:
    """The report on `period` is due this many working days into the following month.
    Pass the unit's `calendar` when counting the due days of many months."""
    calendar = calendar or WorkingCalendar(unit)
    return calendar.add_working_days(month_period(period).last, settings.REPORT_DUE_WORKING_DAYS)


def reference_for(unit: Unit, period: date, version: int) -> str:
    base = f"{unit.code}-T-{period:%Y-%m}"
    return base if version == 1 else f"{base}-v{version}"


def current(unit: Unit, period: date) -> MonthlyReport | None:
    """The latest version of the unit's report on `period`."""
    return (MonthlyReport.objects.filter(unit=unit, period=period)
            .order_by("-version").first())


def tell(kind: str, report: MonthlyReport, *, also_parent: bool = False, users=(),
         actor=None) -> None:
    """Notify the unit (and its parent, or named people) of `kind` about `report`; never
    `actor`, whose act it is."""
    subject = {"report": report.pk, "month": report.month,
               "report_reference": report.reference, "state": report.state}
    parents = (report.unit.parent,) if also_parent and report.unit.parent_id else ()
    emit(kind, unit=report.unit, subject=subject, also_units=parents, users=users,
         actor=actor)


# --- drafting -----------------------------------------------------------------------------

def _refresh(report: MonthlyReport) -> None:
    period = month_period(report.period)
    figures = period_figures([report.unit_id], period)
    mark = figures.get("checkpoint")
    if mark is not None and mark["signed"] is None and timezone.now() >= period.end:
        # No signed checkpoint covers the period's end yet: sign the chain head now.
        make_checkpoint()
        figures["checkpoint"] = checkpoint(period)
    report.figures, report.figures_at = figures, timezone.now()


def report_draft(*, unit: Unit, period: date, by=None) -> tuple[MonthlyReport, bool]:
    """The unit's report on `period`, drafted if it has none yet: (report, created). Safe to
    call twice at once: the unique version number makes the second caller find the first's
    draft. `by` is None for the schedule."""
    period = month_period(period).first
    if by is not None:
        require(may_write(by, unit), _("Only the unit's clerk or head drafts its report."))
    if period > timezone.localdate().replace(day=1):
        raise ValidationError(_("A month that has not begun cannot be reported on."),
                              code="future")
    existing = current(unit, period)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            report = MonthlyReport(
                unit=unit, period=period, version=1, reference=reference_for(unit, period, 1),
                data_key=DataKey.objects.create_fresh(), drafted_by=by,
            )
            _refresh(report)
            report.save()
            record(actor=by or SYSTEM, action="report.drafted", target=report, unit=unit,
                   details={"report": report.reference, "month": report.month,
                            "version": 1, "nil": report.figures["nil"]})
            tell(Notice.REPORT_DRAFTED, report)
    except IntegrityError:
        existing = current(unit, period)
        if existing is None:
            raise
        return existing, False
    return report, True


def last_month_reports_draft(*, today: date | None = None) -> str:
    """The schedule's job on the 1st: last month's draft for every active unit that has
    none. Running it again drafts nothing more; after downtime it drafts only last month
    (the schedule does not catch up, and earlier months are drafted on demand)."""
    period = last_month(today)
    made = 0
    for unit in Unit.objects.active().order_by("code"):
        _report, created = report_draft(unit=unit, period=period)
        made += created
    return f"{made} drafted for {period:%Y-%m}"


# --- the clerk's and the head's steps ------------------------------------------------------

def _locked(report: MonthlyReport) -> MonthlyReport:
    return (MonthlyReport.objects.select_for_update().select_related("unit", "data_key")
            .get(pk=report.pk))


def _refuse_frozen(report: MonthlyReport):
    if report.is_frozen:
        raise ValidationError(
            _("An approved report cannot be changed; make a correction instead."),
            code="frozen")


def _narrative_set(report: MonthlyReport, by, narrative: str) -> None:
    """Write the clerk's text on a locked report, compute the figures again, and put a
    prepared report back to draft, so the head never approves what they did not see."""
    report.narrative = narrative.strip() or None
    _refresh(report)
    was = report.state
    report.state, report.prepared_by, report.prepared_at = State.DRAFT, None, None
    report.save()
    record(actor=by, action="report.edited", target=report, unit=report.unit,
           details={"report": report.reference, "from_state": was,
                    "narrative_chars": len(narrative.strip())})


@transaction.atomic
def report_narrative_save(*, report: MonthlyReport, by, narrative: str) -> MonthlyReport:
    """The clerk's text; the figures are computed again at the same time. A prepared report
    that is changed goes back to draft, so the head never approves what they did not see."""
    report = _locked(report)
    require(may_write(by, report.unit), _("Only the unit's clerk or head edits its report."))
    _refuse_frozen(report)
    _narrative_set(report, by, narrative)
    return report


@transaction.atomic
def report_prepare(*, report: MonthlyReport, by, narrative: str | None = None
                   ) -> MonthlyReport:
    """"ТАЙЛАН БИЧСЭН": the figures are computed once more and stand as prepared. The
    month page sends the explanation box with this button (one form), so `narrative`, when
    given and changed, is saved first: text typed before pressing it is never lost."""
    report = _locked(report)
    require(may_write(by, report.unit),
             _("Only the unit's clerk or head marks its report prepared."))
    _refuse_frozen(report)
    if report.state != State.DRAFT:
        raise ValidationError(_("This report is already prepared."), code="state")
    if narrative is not None:
        stored = report.narrative.reveal() if report.narrative is not None else ""
        if narrative.strip() != stored:
            _narrative_set(report, by, narrative)
    _refresh(report)
    report.state, report.prepared_by, report.prepared_at = State.PREPARED, by, timezone.now()
    report.send_back_reason = ""  # answered by preparing again
    report.save()
    record(actor=by, action="report.prepared", target=report, unit=report.unit,
           details={"report": report.reference, "nil": report.figures["nil"],
                    "figures_sha256": document.figures_hash(report.figures)})
    tell(Notice.REPORT_AWAITING_REVIEW, report, actor=by)
    return report


@transaction.atomic
def report_send_back(*, report: MonthlyReport, by, reason: str) -> MonthlyReport:
    """The head returns a prepared report to draft, with a reason the clerk sees on the
    month page until they mark it prepared again. The reason is kept on the report (a note
    on counts, not complaint content); the audit trail keeps its length, and the clerk's
    notification names the month only."""
    report = _locked(report)
    require(may_approve(by, report.unit), _("Only the unit's head reviews its report."))
    _refuse_frozen(report)
    if report.state != State.PREPARED:
        raise ValidationError(_("Only a prepared report can be sent back."), code="state")
    if not reason.strip():
        raise ValidationError(_("Say why the report goes back."), code="reason")
    report.state, report.prepared_by, report.prepared_at = State.DRAFT, None, None
    report.send_back_reason = reason.strip()[:500]
    report.save(update_fields=["state", "prepared_by", "prepared_at", "send_back_reason"])
    record(actor=by, action="report.sent_back", target=report, unit=report.unit,
           details={"report": report.reference, "reason_chars": len(reason.strip())})
    tell(Notice.REPORT_SENT_BACK, report, actor=by)
    return report


def recipients_of(unit: Unit) -> list[Agency]:
    """Who receives an approved report: the anti-corruption agency that serves the unit (its
    default agency) and the agency that stands for its parent authority, when set up. Each
    the closest to the unit of those serving it (outbox.models.AgencyQuerySet.nearest), so
    that no province's report reaches another province's offices."""
    default = Agency.objects.default_for(unit)
    parent = Agency.objects.exclude(pk=getattr(default, "pk", None)).nearest(
        unit, kind=Agency.Kind.PARENT)
    return [agency for agency in (default, parent) if agency is not None]


def audited_figures(figures: dict) -> dict:
    """The figures as the audit trail keeps them: every count, without the lists of items
    (complaints, referrals, answers, box openings), which the frozen report keeps and its
    document hash covers. An audit event holds at most audit.services.MAX_DETAILS (4,000)
    characters; a month with ten referred complaints passes that with its lists."""
    kept = dict(figures)
    kept["corruption"] = {k: v for k, v in figures["corruption"].items() if k != "complaints"}
    kept["earlier_referrals"] = len(figures["earlier_referrals"])
    for key in ("agency_answers", "box_openings"):
        kept[key] = {k: v for k, v in figures[key].items() if k != "items"}
    return kept


def report_approve(*, report: MonthlyReport, by) -> MonthlyReport:
    """"ТАЙЛАН ХЯНАСАН": frozen, hashed, audited and queued for delivery, in one transaction.
    The head may not approve a report they prepared."""
    with atomic_with_files():
        report = _locked(report)
        require(may_approve(by, report.unit), _("Only the unit's head approves its report."))
        _refuse_frozen(report)
        if report.state != State.PREPARED:
            raise ValidationError(_("The clerk must mark the report prepared first."),
                                  code="state")
        if report.prepared_by_id == by.pk:
            raise ValidationError(
                _("The person who prepared the report cannot also approve it."),
                code="same_person")
        report.state, report.approved_by, report.approved_at = (
            State.APPROVED, by, timezone.now())
        data = document.package(report)
        report.document_sha256 = hashlib.sha256(document.canonical(report)).hexdigest()
        report.save(update_fields=["state", "approved_by", "approved_at",
                                   "document_sha256"])
        agencies = recipients_of(report.unit)
        for agency in agencies:
            entry = outbox_enqueue(kind=OUTBOX_KIND, subject_id=report.pk,
                                   reference=report.reference, agency=agency,
                                   data_key=report.data_key, data=data)
            ReportDelivery.objects.create(report=report, outbox=entry)
        narrative = report.narrative.reveal() if report.narrative is not None else ""
        record(actor=by, action="report.approved", target=report, unit=report.unit,
               details={
                   "report": report.reference, "month": report.month,
                   "version": report.version,
                   "supersedes": report.supersedes.reference if report.supersedes else None,
                   "document_sha256": report.document_sha256,
                   "figures": audited_figures(report.figures),
                   "figures_sha256": document.figures_hash(report.figures),
                   "narrative_sha256": hashlib.sha256(narrative.encode()).hexdigest(),
                   "narrative_chars": len(narrative),
                   "prepared_by": report.prepared_by_id, "approved_by": by.pk,
                   "sent_to": [agency.code for agency in agencies],
               })
        tell(Notice.REPORT_APPROVED, report, also_parent=True,
              users=[report.prepared_by_id], actor=by)
    return report


@transaction.atomic
def report_correct(*, report: MonthlyReport, by, reason: str) -> MonthlyReport:
    """A new draft version of an approved report, pointing to it. The approved one stays as
    it was; the new one is prepared and approved like any other."""
    report = _locked(report)
    require(may_write(by, report.unit), _("Only the unit's clerk or head corrects its report."))
    if not report.is_frozen:
        raise ValidationError(_("Only an approved report is corrected; edit the draft instead."),
                              code="state")
    if current(report.unit, report.period).pk != report.pk:
        raise ValidationError(_("A later version of this report already exists."),
                              code="superseded")
    if not reason.strip():
        raise ValidationError(_("Say what the correction is for."), code="reason")
    version = report.version + 1
    narrative = report.narrative.reveal() if report.narrative is not None else None
    new = MonthlyReport(
        unit=report.unit, period=report.period, version=version,
        reference=reference_for(report.unit, report.period, version), supersedes=report,
        correction_reason=reason.strip()[:500], data_key=DataKey.objects.create_fresh(),
        drafted_by=by,
    )
    new.narrative = narrative
    _refresh(new)
    new.save()
    record(actor=by, action="report.corrected", target=new, unit=new.unit,
           details={"report": new.reference, "supersedes": report.reference,
                    "supersedes_sha256": report.document_sha256, "version": version,
                    "reason_chars": len(reason.strip())})
    tell(Notice.REPORT_DRAFTED, new, actor=by)
    return new
