"""The report on a plan's implementation: drafted from the records (plans.drafting), its
wording edited and each measure's level set by the clerk, prepared, approved by the head
(another person), then frozen and its document hashed into the audit trail. A frozen
report is corrected only by a new version.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from plans import drafting
from plans.deliveries import report_enqueue
from plans.document import average_level
from plans.models import Performance, Plan, PlanReport, PlanState, ReportState
from reporting.access import may_approve, may_write, require
from reporting.figures import Period
from vault.files import atomic_with_files

DEFAULT_LEVELS = (0, 30, 50, 70, 100)


def levels() -> tuple[int, ...]:
    """The scale of self-assessed implementation, in %, from settings.PLAN_LEVELS."""
    return tuple(getattr(settings, "PLAN_LEVELS", DEFAULT_LEVELS))


def period_of(year: int, key: str) -> tuple[str, Period]:
    """The kind and period a URL's key names: "half", "year" or a day of the year
    (YYYY-MM-DD). ValueError otherwise."""
    if key == PlanReport.Kind.HALF:
        return key, Period(date(year, 1, 1), date(year, 6, 30), f"{year}-H1")
    if key == PlanReport.Kind.YEAR:
        return key, Period(date(year, 1, 1), date(year, 12, 31), str(year))
    day = date.fromisoformat(key)
    if day.year != year or len(key) != 10:
        raise ValueError(key)
    return PlanReport.Kind.AS_OF, Period(date(year, 1, 1), day, key)


def report_period(report: PlanReport) -> Period:
    return period_of(report.year, report.period_key)[1]


def latest_report(unit, year: int, kind: str, through: date) -> PlanReport | None:
    return (PlanReport.objects.filter(unit=unit, year=year, kind=kind, through=through)
            .order_by("-version").first())


@transaction.atomic
def plan_report_draft(*, plan: Plan, key: str, by) -> PlanReport:
    """The report on `plan` for the period `key`, each measure's text drafted now."""
    require(may_write(by, plan.unit), _("Only the unit's clerk or head drafts its report."))
    if plan.state != PlanState.APPROVED:
        raise ValidationError(_("Approve the plan before reporting on it."))
    kind, period = period_of(plan.year, key)
    if latest_report(plan.unit, plan.year, kind, period.last) is not None:
        raise ValidationError(_("A report for this period exists already."))
    report = PlanReport.objects.create(plan=plan, unit=plan.unit, year=plan.year, kind=kind,
                                       through=period.last, drafted_by=by)
    for measure in plan.measures():
        draft = drafting.draft_for(plan.unit, measure, period)
        Performance.objects.create(report=report, measure=measure, text=draft.text,
                                   figures=draft.figures)
    record(actor=by, action="plan.report_drafted", target=report, unit=plan.unit,
           details={"year": plan.year, "period": period.label})
    return report


def _open_for_edit(report: PlanReport, by) -> PlanReport:
    report = PlanReport.objects.select_for_update().get(pk=report.pk)
    require(may_write(by, report.unit), _("Only the unit's clerk or head edits its report."))
    if report.state != ReportState.DRAFT:
        raise ValidationError(_("Only a draft report is edited."))
    return report


@transaction.atomic
def performance_edit(*, performance: Performance, text: str, level: int,
                     redraft: bool = False, by) -> Performance:
    """Rewrite a measure's performance and level; `redraft` replaces the text and figures
    with a new draft from the records."""
    report = _open_for_edit(performance.report, by)
    if level not in levels():
        raise ValidationError(_("Choose a level from the scale."))
    if redraft:
        draft = drafting.draft_for(report.unit, performance.measure, report_period(report))
        performance.text, performance.figures = draft.text, draft.figures
    else:
        performance.text = text.strip()
    performance.level = level
    performance.save(update_fields=["text", "figures", "level"])
    record(actor=by, action="plan.report_edited", target=report, unit=report.unit,
           details={"measure": performance.measure.number, "level": level,
                    "redraft": redraft})
    return performance


@dataclass(frozen=True)
class Edit:
    """A measure's wording and level as typed on the report's page."""

    performance_id: int
    text: str
    level: int


def _edit(report: PlanReport, edit: Edit, by) -> None:
    performance = report.performances.select_related("measure").get(pk=edit.performance_id)
    if (performance.text, performance.level) == (edit.text.strip(), edit.level):
        return
    if edit.level not in levels():
        raise ValidationError(_("Choose a level from the scale."))
    performance.text, performance.level = edit.text.strip(), edit.level
    performance.save(update_fields=["text", "level"])
    record(actor=by, action="plan.report_edited", target=report, unit=report.unit,
           details={"measure": performance.measure.number, "level": edit.level,
                    "redraft": False})


@transaction.atomic
def plan_report_prepare(*, report: PlanReport, by, edits=()) -> PlanReport:
    """The clerk's "Mark prepared", saving with it the wording and levels typed (`edits`)."""
    report = _open_for_edit(report, by)
    for edit in edits:
        _edit(report, edit, by)
    report.state, report.prepared_by, report.prepared_at = (
        ReportState.PREPARED, by, timezone.now())
    report.save(update_fields=["state", "prepared_by", "prepared_at"])
    record(actor=by, action="plan.report_prepared", target=report, unit=report.unit)
    return report


def document_hash(report: PlanReport) -> str:
    """SHA-256 over what the approved document says: every measure's text, level and
    figures, the period, and who wrote and reviewed it."""
    body = {
        "unit": report.unit.code, "year": report.year, "period": report.period_key,
        "version": report.version,
        "prepared_by": report.prepared_by_id, "approved_by": report.approved_by_id,
        "measures": [[p.measure.number, p.text, p.level, p.figures]
                     for p in report.performances.select_related("measure")],
    }
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def plan_report_approve(*, report: PlanReport, by) -> PlanReport:
    """"ТАЙЛАН ХЯНАСАН": frozen, hashed, audited and queued for the agencies, in one
    transaction (with the sealed packages, vault.files.atomic_with_files)."""
    with atomic_with_files():
        report = PlanReport.objects.select_for_update().get(pk=report.pk)
        require(may_approve(by, report.unit),
                _("Only the head of the unit approves its report."))
        if report.state != ReportState.PREPARED:
            raise ValidationError(_("The report must be marked prepared first."))
        if report.prepared_by_id == by.pk:
            raise ValidationError(
                _("You prepared this report; another person must approve it."))
        report.state, report.approved_by, report.approved_at = (
            ReportState.APPROVED, by, timezone.now())
        report.document_sha256 = document_hash(report)
        report.save(update_fields=["state", "approved_by", "approved_at",
                                   "document_sha256"])
        sent_to = report_enqueue(report)
        record(actor=by, action="plan.report_approved", target=report, unit=report.unit,
               details={"document_sha256": report.document_sha256, "sent_to": sent_to,
                        "level": average_level(report.performances.all())})
    return report


@transaction.atomic
def plan_report_send_back(*, report: PlanReport, by) -> PlanReport:
    report = PlanReport.objects.select_for_update().get(pk=report.pk)
    require(may_approve(by, report.unit), _("Only the head of the unit reviews its report."))
    if report.state != ReportState.PREPARED:
        raise ValidationError(_("Only a prepared report is sent back."))
    report.state = ReportState.DRAFT
    report.save(update_fields=["state"])
    record(actor=by, action="plan.report_sent_back", target=report, unit=report.unit)
    return report


@transaction.atomic
def plan_report_correct(*, report: PlanReport, reason: str, by) -> PlanReport:
    """A new draft version of an approved report, its wording and levels carried over."""
    report = PlanReport.objects.select_for_update().get(pk=report.pk)
    require(may_write(by, report.unit), _("Only the unit's clerk or head corrects its report."))
    if not report.is_frozen or PlanReport.objects.filter(supersedes=report).exists():
        raise ValidationError(_("Only the latest approved report is corrected."))
    plan = Plan.objects.filter(unit=report.unit, year=report.year,
                               state=PlanState.APPROVED).order_by("-version").first()
    new = PlanReport.objects.create(
        plan=plan, unit=report.unit, year=report.year, kind=report.kind,
        through=report.through, version=report.version + 1, supersedes=report,
        correction_reason=reason.strip(), drafted_by=by)
    earlier = {p.measure.number: p for p in report.performances.select_related("measure")}
    for measure in plan.measures():
        before = earlier.get(measure.number)
        if before is None:
            draft = drafting.draft_for(report.unit, measure, report_period(report))
            text, figures, level = draft.text, draft.figures, 0
        else:
            text, figures, level = before.text, before.figures, before.level
        Performance.objects.create(report=new, measure=measure, text=text, figures=figures,
                                   level=level)
    record(actor=by, action="plan.report_corrected", target=new, unit=report.unit,
           details={"version": new.version, "supersedes_sha256": report.document_sha256})
    return new


def preview(plan: Plan, key: str) -> tuple[PlanReport, list[Performance]]:
    """The report on `plan` for the period `key` as it would be drafted now, unsaved."""
    kind, period = period_of(plan.year, key)
    report = PlanReport(plan=plan, unit=plan.unit, year=plan.year, kind=kind,
                        through=period.last)
    lines = []
    for measure in plan.measures():
        draft = drafting.draft_for(plan.unit, measure, period)
        lines.append(Performance(measure=measure, text=draft.text, figures=draft.figures))
    return report, lines


def staleness(performance: Performance, period: Period) -> list[dict] | None:
    """None when the records still give the figures the text was written from; otherwise
    each figure that differs: [{"key", "was", "now"}]."""
    now = drafting.figures_for(performance.report.unit, performance.measure, period)
    if now == performance.figures:
        return None
    return [{"key": key, "was": performance.figures.get(key), "now": now.get(key)}
            for key in sorted(set(now) | set(performance.figures))
            if now.get(key) != performance.figures.get(key)]
