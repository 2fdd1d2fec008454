"""Quarterly statistics of a unit and the units below it, and their downloads."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from reporting.display import readable, recused_references
from reporting.figures import period_figures
from reporting.pages import (
    EXPORT_FORMATS,
    exported,
    quarter_of_url,
    recent_quarters,
    report_reader,
)


@report_reader
@require_GET
def quarter(request, unit, quarter):
    period = quarter_of_url(quarter)
    ids = unit.descendant_ids()
    return render(request, "reporting/quarter.html", {
        "unit": unit, "period": period, "quarter": period.label,
        "with_units": len(ids) > 1,
        "figures": readable(period_figures(ids, period, with_checkpoint=False),
                            recused_references(request.user),
                            earlier_page=request.GET.get("earlier")),
        "downloads": [{"format": fmt.upper(), "url": reverse("reporting:quarter_export", kwargs={
            "unit_code": unit.code, "quarter": period.label, "fmt": fmt})}
            for fmt in EXPORT_FORMATS],
        "quarters": recent_quarters(timezone.localdate()),
    })


@report_reader
@require_GET
def quarter_export(request, unit, quarter, fmt):
    period = quarter_of_url(quarter)
    if fmt not in EXPORT_FORMATS:
        raise Http404
    figures = period_figures(unit.descendant_ids(), period, with_checkpoint=False)
    back = reverse("reporting:quarter", kwargs={"unit_code": unit.code,
                                                "quarter": period.label})
    return exported(request, lambda exports: exports.statistics(unit, period, figures, fmt),
                    back, figures)
