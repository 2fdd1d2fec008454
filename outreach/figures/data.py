"""The open figures of a year, from approved monthly reports only (the latest approved
version of each month; a draft or a report awaiting review is never read), for the whole
tree of units at once so that suppression (outreach.figures.suppression) protects the
parent's sums too.

A unit's report counts its own complaints only (reporting.services), so the tree's total
(ALL) is the sum over its units. The figures are cached per year and tree; a page's bytes
are cached on top of them (outreach.figures.views).
"""

from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from org.calendar import WorkingCalendar
from org.models import Unit
from outreach.figures.suppression import ALL, SMALL, YEAR, suppressed, table_build
from reporting.figures import ALL_CHANNELS
from reporting.models import MonthlyReport, State
from reporting.services import due_day

CACHE_SECONDS = 600
KINDS = ["complaint", "suggestion"]
MONTHS = [f"{month:02d}" for month in range(1, 13)]
HIDDEN = None  # how a hidden cell travels in the data; the pages print it as "<5"


def columns_of(counts: dict) -> list[str]:
    """The table's columns in their order: received, by channel, by kind, by category,
    referred."""
    categories = sorted({column for months in counts.values() for row in months.values()
                         for column in row if column.startswith("category:")})
    return (["received"] + [f"channel:{c}" for c in ALL_CHANNELS]
            + [f"kind:{k}" for k in KINDS] + categories + ["referred"])


PARTS = [("received", [f"channel:{c}" for c in ALL_CHANNELS]),
         ("received", [f"kind:{k}" for k in KINDS])]


def _row(figures: dict) -> dict[str, int]:
    received = figures.get("received", {})
    row = {"received": received.get("total", 0),
           "referred": figures.get("corruption", {}).get("referred", 0)}
    row.update({f"channel:{c}": n for c, n in received.get("by_channel", {}).items()})
    row.update({f"kind:{k}": n for k, n in received.get("by_kind", {}).items()})
    row.update({f"category:{c}": n for c, n in figures.get("by_category", {}).items()})
    return row


def _on_time(figures: dict) -> int | None:
    """Per cent of the complaints due for an answer in the month that were answered by
    their due day; None when it could point at a small count (fewer than SMALL due, or 1
    to SMALL - 1 of them met or missed) or when the report does not hold it."""
    clock = figures.get("clocks", {}).get("resolve")
    if not clock or clock.get("due", 0) < SMALL:
        return None
    if any(0 < clock.get(part, 0) < SMALL for part in ("met", "missed")):
        return None
    return round(100 * clock["met"] / clock["due"])


def _reports(units: list[Unit], year: int):
    latest: dict = {}
    first_approved: dict = {}
    for report in (MonthlyReport.objects.filter(unit__in=units, period__year=year,
                                                 state=State.APPROVED)
                   .only("unit_id", "period", "version", "figures", "approved_at")
                   .order_by("period", "version")):
        latest[(report.unit_id, report.period)] = report.figures
        first_approved.setdefault((report.unit_id, report.period), report.approved_at)
    return latest, first_approved


def tree_of(unit: Unit) -> tuple[Unit, list[Unit]]:
    root = unit.ancestors()[-1] if unit.parent_id else unit
    ids = root.descendant_ids()
    return root, list(Unit.objects.active().filter(pk__in=ids).order_by("code"))


def year_figures(root: Unit, year: int) -> dict:
    key = f"outreach:open:year:{root.pk}:{year}"
    found = cache.get(key)
    if found is None:
        found = _assemble(root, year)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _assemble(root: Unit, year: int) -> dict:
    _root, units = tree_of(root)
    by_pk = {unit.pk: unit for unit in units}
    latest, first_approved = _reports(units, year)
    counts: dict[str, dict[str, dict[str, int]]] = {}
    extra: dict[str, dict[str, dict]] = {}
    calendars = {unit.pk: WorkingCalendar(unit) for unit in units}  # each read once
    for (unit_id, period), figures in latest.items():
        unit, month = by_pk[unit_id], f"{period:%m}"
        counts.setdefault(unit.code, {})[month] = _row(figures)
        approved = first_approved[(unit_id, period)]
        due = due_day(unit, date(year, period.month, 1), calendars[unit_id])
        extra.setdefault(unit.code, {})[month] = {
            "answered_on_time_percent": _on_time(figures),
            "approved_on_time": bool(approved and timezone.localdate(approved) <= due),
        }
    columns = columns_of(counts)
    if not counts:
        return {"year": year, "columns": columns, "units": {}, "extra": {}}
    table = table_build(counts=counts, parts=PARTS)
    hidden = suppressed(table)
    shown: dict[str, dict[str, dict]] = {}
    for (code, month, column), value in table.values.items():
        cell = HIDDEN if (code, month, column) in hidden else value
        shown.setdefault(code, {}).setdefault(month, {})[column] = cell
    return {"year": year, "columns": columns, "units": shown, "extra": extra,
            "names": {unit.code: [unit.name_mn, unit.name_en] for unit in units}}


__all__ = ["ALL", "YEAR", "MONTHS", "HIDDEN", "year_figures", "tree_of"]



def forget_unit(unit) -> None:
    """A summary published or withdrawn shows on the unit's page at once, not after the
    cache expires (outreach.publications)."""
    year = timezone.localdate().year
    cache.delete_many([f"outreach:open:{unit.code}-{year}.html:{code}"
                       for code, _name in settings.LANGUAGES])
