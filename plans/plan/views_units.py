"""The units below, for a parent: for one year, who has an approved plan, who has filed an
approved implementation report, and each one's level; each links to the unit's own pages,
which the parent's clerks, heads and auditors read (reporting.access.may_read)."""

from django.db.models import Avg
from django.shortcuts import render
from django.views.decorators.http import require_GET

from org.models import Unit
from plans.models import Performance, Plan, PlanReport, ReportState
from plans.pages import report_reader


def _latest_by_unit(rows) -> dict:
    latest = {}
    for row in rows:
        latest.setdefault(row.unit_id, row)
    return latest


@report_reader
@require_GET
def units(request, unit, year: int):
    below = list(Unit.objects.active().filter(pk__in=unit.descendant_ids() - {unit.pk})
                 .order_by("code"))
    ids = [child.pk for child in below]
    plans = _latest_by_unit(Plan.objects.filter(unit_id__in=ids, year=year)
                            .order_by("unit_id", "-version"))
    reports = _latest_by_unit(PlanReport.objects.filter(unit_id__in=ids, year=year)
                              .order_by("unit_id", "-through", "-version"))
    levels = dict(Performance.objects.filter(report__in=list(reports.values()))
                  .values_list("report_id").annotate(level=Avg("level")))
    rows = [{"unit": child, "plan": plans.get(child.pk), "report": reports.get(child.pk),
             "filed": bool(reports.get(child.pk))
             and reports[child.pk].state == ReportState.APPROVED,
             "level": round(levels[reports[child.pk].pk])
             if child.pk in reports and reports[child.pk].pk in levels else None}
            for child in below]
    return render(request, "plans/units.html", {
        "unit": unit, "year": year, "rows": rows,
        "filed": sum(1 for row in rows if row["filed"]),
    })
