"""The consolidation of the units below one for a month: where each stands (filed, late,
missing), their counts side by side, and the figures summed over all of them."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from org.models import Unit
from reporting import charts
from reporting.access import may_read, oversees
from reporting.display import STANDINGS, readable, recused_references, standings_of
from reporting.figures import month_period, per_unit, period_figures
from reporting.pages import month_of_url, neighbours, report_reader


@report_reader
@require_GET
def consolidated(request, unit, month):
    period, today = month_of_url(month), timezone.localdate()
    ids = unit.descendant_ids()
    # Rows for the units still active; the totals count every unit, closed ones too.
    units = sorted(Unit.objects.active().filter(pk__in=ids),
                   key=lambda each: (each.pk != unit.pk, each.code))
    standings = standings_of(((each, period) for each in units), today)
    counts = per_unit(ids, month_period(period))
    links_all = oversees(request.user, unit)
    rows = [{"standing": standing, **counts[standing.unit.pk],
             "link": links_all or may_read(request.user, standing.unit)}
            for standing in standings]
    summary = {key: sum(1 for s in standings if s.status == key) for key in STANDINGS}
    return render(request, "reporting/consolidated.html", {
        "unit": unit, "period": period, "month": month, "rows": rows, "summary": [
            # Months before a unit's records begin are named only when there are some.
            (STANDINGS[key], summary[key]) for key in STANDINGS
            if key != "before" or summary[key]],
        "late_count": sum(1 for s in standings if s.late),
        "nil_count": sum(1 for s in standings if s.filed is not None and s.nil),
        "figures": readable(period_figures(ids, month_period(period), with_checkpoint=False),
                            recused_references(request.user),
                            earlier_page=request.GET.get("earlier")),
        "charts": charts.charts_for(ids, period, prefix="all"),
        **neighbours(period, today),
    })
