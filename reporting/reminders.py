"""Reports that are late: each active unit whose report on last month is not approved by
its due day (settings.REPORT_DUE_WORKING_DAYS) is told once, daily job by daily job."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from audit.services import SYSTEM, record
from notify.events import emit
from notify.models import Event
from notify.models import Kind as Notice
from org.models import Unit
from reporting.services import current, due_day, last_month


def late_reports_remind(*, today: date | None = None) -> str:
    """Run daily: each active unit whose report on last month is not approved by its due
    day is told once (its clerk and head, and the parent unit's head)."""
    today = today or timezone.localdate()
    period = last_month(today)
    month = f"{period:%Y-%m}"
    told = 0
    for unit in Unit.objects.active().order_by("code"):
        if today <= due_day(unit, period):
            continue
        report = current(unit, period)
        if report is not None and report.is_frozen:
            continue
        with transaction.atomic():
            # The unit's row is the lock: two runs at once tell the unit once. FOR NO KEY
            # UPDATE, so that it does not block the foreign-key checks of transactions that
            # hold the audit chain's head while this one waits for it (a deadlock).
            Unit.objects.select_for_update(no_key=True).filter(pk=unit.pk).first()
            if Event.objects.filter(kind=Notice.REPORT_LATE, unit=unit,
                                    subject__month=month).exists():
                continue
            parents = (unit.parent,) if unit.parent_id else ()
            subject = {"month": month, "state": report.state if report else "missing"}
            if report is not None:
                subject.update(report=report.pk, report_reference=report.reference)
            emit(Notice.REPORT_LATE, unit=unit, subject=subject, also_units=parents)
            record(actor=SYSTEM, action="report.late", object_type="reporting.monthlyreport",
                   object_id=str(report.pk) if report else "", unit=unit,
                   details={"month": month, "state": subject["state"]})
        told += 1
    return f"{told} late reports for {month}"
