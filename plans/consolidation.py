"""The units below a parent, for one year: who has an approved plan, who has filed an
approved implementation report, and each one's level, in four queries whatever the number
of units (the parent's page, plans.plan.views_units, and bench/plan_report.py)."""

from django.db.models import Avg

from org.models import Unit
from plans.models import Performance, Plan, PlanReport, ReportState


def _latest_by_unit(rows) -> dict:
    latest = {}
    for row in rows:
        latest.setdefault(row.unit_id, row)
    return latest


def units_below(unit: Unit, year: int) -> list[dict]:
    below = list(Unit.objects.active().filter(pk__in=unit.descendant_ids() - {unit.pk})
                 .order_by("code"))
    ids = [child.pk for child in below]
    plans = _latest_by_unit(Plan.objects.filter(unit_id__in=ids, year=year)
                            .order_by("unit_id", "-version"))
    reports = _latest_by_unit(PlanReport.objects.filter(unit_id__in=ids, year=year)
                              .order_by("unit_id", "-through", "-version"))
    levels = dict(Performance.objects.filter(report__in=list(reports.values()))
                  .values_list("report_id").annotate(level=Avg("level")))
    rows = []
    for child in below:
        report = reports.get(child.pk)
        level = levels.get(report.pk) if report else None
        rows.append({"unit": child, "plan": plans.get(child.pk), "report": report,
                     "filed": bool(report) and report.state == ReportState.APPROVED,
                     "level": round(level) if level is not None else None})
    return rows
