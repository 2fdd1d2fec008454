"""What the open pages, the CSV and the JSON say, as plain data built from
outreach.figures.data: the hidden cells stay hidden (None in the data, MARK on a page)."""

from datetime import date, timedelta

from django.utils.translation import gettext as _

from intake.models import Channel, Kind
from org.models import Unit
from outreach.figures import data
from outreach.figures.data import MONTHS, YEAR
from reporting.charts import PALETTE, Series, month_label, months_ending, render_svg
from routing.models import Category

MARK = "×"
SCHEMA = 1


def _label(column: str) -> str:
    group, _sep, value = column.partition(":")
    if group == "channel":
        return str(dict(Channel.choices).get(value, value))
    if group == "kind":
        return str(dict(Kind.choices).get(value, value))
    if group == "category":
        found = Category.objects.filter(code=value).first()
        return found.name if found else value
    return {"received": _("Received in all"),
            "referred": _("Referred to the Anti-Corruption Agency")}.get(column, column)


def shown(value) -> str:
    return MARK if value is None else str(value)


def last_twelve(root: Unit, today: date) -> dict:
    """Each unit of the tree of `root`, and the tree's total: its received count in each
    of the twelve months ending last month."""
    last = today.replace(day=1) - timedelta(days=1)
    months = months_ending(last)
    years = {month.year: data.year_figures(root, month.year) for month in months}
    _root, units = data.tree_of(root)
    rows = []
    for code, name in [(unit.code, unit.name) for unit in units] + [(data.ALL, _("All units"))]:
        cells = []
        for month in months:
            row = years[month.year]["units"].get(code, {}).get(f"{month:%m}")
            cells.append("" if row is None else shown(row["received"]))
        rows.append({"code": code if code != data.ALL else "", "name": name, "cells": cells})
    return {"root": root, "months": [month_label(month) for month in months], "rows": rows}


def unit_year(unit: Unit, year: int) -> dict:
    root, _units = data.tree_of(unit)
    figures = data.year_figures(root, year)
    mine = figures["units"].get(unit.code, {})
    extra = figures["extra"].get(unit.code, {})
    columns = figures["columns"]
    rows = []
    for month in [*MONTHS, YEAR]:
        if month not in mine:
            continue
        more = extra.get(month, {})
        rows.append({
            "label": _("The year") if month == YEAR else month_label(date(year, int(month), 1)),
            "cells": [shown(mine[month].get(column)) for column in columns],
            "on_time": more.get("answered_on_time_percent"),
            "approved_on_time": more.get("approved_on_time"), "year": month == YEAR})
    return {"unit": unit, "year": year, "headings": [_label(c) for c in columns],
            "rows": rows, "mark": MARK, "chart": _chart(unit, year, mine)}


def _chart(unit: Unit, year: int, mine: dict):
    months = [date(year, number, 1) for number in range(1, 13)]
    values = tuple((mine.get(f"{m:%m}", {}).get("received") or 0) for m in months)
    title = _("Complaints and suggestions received, %(year)s") % {"year": year}
    description = _("Each month's count from the approved monthly reports; a hidden count "
                    "is drawn as nothing.")
    return render_svg("open-trend", title, description, months,
                      (Series("received", _("Received in all"), values, PALETTE[0]),),
                      value_axis=_("Received"))


def json_figures(unit: Unit, year: int) -> dict:
    root, _units = data.tree_of(unit)
    figures = data.year_figures(root, year)
    extra = figures["extra"].get(unit.code, {})
    months = figures["units"].get(unit.code, {})
    return {
        "schema": SCHEMA, "unit": unit.code, "year": year,
        "names": {"mn": unit.name_mn, "en": unit.name_en},
        "columns": figures["columns"],
        "months": [{"month": f"{year}-{month}", **months[month], **extra.get(month, {})}
                   for month in MONTHS if month in months],
        "year_total": months.get(YEAR),
    }


def csv_rows(unit: Unit, year: int):
    figures = json_figures(unit, year)
    head = ["month", *figures["columns"], "answered_on_time_percent", "approved_on_time"]
    yield head
    for row in figures["months"]:
        yield [row["month"], *(shown(row[c]) for c in figures["columns"]),
               "" if row["answered_on_time_percent"] is None
               else row["answered_on_time_percent"], "yes" if row["approved_on_time"] else "no"]
    if figures["year_total"]:
        yield [str(year), *(shown(figures["year_total"][c]) for c in figures["columns"]),
               "", ""]
