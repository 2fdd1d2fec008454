"""The units below, for a parent: for one year, who has an approved plan, who has filed an
approved implementation report, and each one's level (plans.consolidation); each links to
the unit's own pages, which the parent's clerks, heads and auditors read
(reporting.access.may_read)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from plans.consolidation import units_below
from plans.pages import report_reader


@report_reader
@require_GET
def units(request, unit, year: int):
    rows = units_below(unit, year)
    return render(request, "plans/units.html", {
        "unit": unit, "year": year, "rows": rows,
        "filed": sum(1 for row in rows if row["filed"]),
    })
