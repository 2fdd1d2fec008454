"""A report as CSV, for reading into any program: one row per fact, UTF-8 with a byte-order
mark, no cell a spreadsheet would run as a formula."""

import csv
import io
from datetime import date

from django.utils.translation import gettext as _

from core.cells import neutralised
from reporting.writers.layout import Layout


def _csv_cell(value) -> str:
    if isinstance(value, date):
        return value.isoformat()  # every spreadsheet reads ISO dates as dates
    return neutralised(value)


def render(layout: Layout) -> bytes:
    """One row per fact: the section it belongs to, then the item and its values."""
    out = io.StringIO()
    writer = csv.writer(out)

    def put(*values):
        writer.writerow([_csv_cell(value) for value in values])

    report = _("Report")
    put(report, _("Unit"), layout.unit_name)
    put(report, _("Title"), layout.title)
    put(report, _("Period"), layout.period)
    put(report, _("Place"), layout.place)
    put(report, _("Date"), layout.day)
    for label, value in layout.facts:
        put(report, label, value)
    for section in layout.sections:
        for line in section.lines:
            put(section.title, line)
        if section.table is not None and section.table.rows:
            put(section.title, *section.table.header)
            for row in section.table.rows:
                put(section.title, *row)
            if section.table.total:
                put(section.title, *section.table.total)
    for signature in layout.signatures:
        put(signature.heading, signature.position, signature.name)
    # A byte-order mark first, or Excel reads UTF-8 Cyrillic as mojibake.
    return out.getvalue().encode("utf-8-sig")
