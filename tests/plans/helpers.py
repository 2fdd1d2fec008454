"""The plans' tests share: DG's 2026 plan built from the reference (plans.reference_plan),
approved, and DG's monthly reports approved for the months of a period."""

from datetime import date, datetime

import time_machine
from django.utils import timezone

from plans.reference_plan import load_into
from plans.services import plan_approve, plan_create
from reporting import services as monthly

UB = timezone.get_default_timezone()
YEAR = 2026
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UB)


def reference_plan(units, personas, *, approve=True):
    plan = plan_create(unit=units["DG"], year=YEAR, copy="empty", by=personas["clerk"])
    load_into(plan, by=personas["clerk"])
    if approve:
        plan = plan_approve(plan=plan, by=personas["head"])
    return plan


def measure(plan, number):
    return plan.measures().get(number=number)


def approve_months(unit, personas, months):
    """DG's monthly reports for `months` (1-12 of YEAR), drafted, prepared and approved."""
    for month in months:
        report, _created = monthly.report_draft(unit=unit, period=date(YEAR, month, 1),
                                                by=personas["clerk"])
        report = monthly.report_prepare(report=report, by=personas["clerk"])
        monthly.report_approve(report=report, by=personas["head"])


def travel():
    return time_machine.travel(NOW, tick=False)
