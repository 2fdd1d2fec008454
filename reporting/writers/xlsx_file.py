"""A report as XLSX: one sheet, a row per line of the document, dates as dates, and text
that a spreadsheet would run as a formula kept as text."""

import io
from datetime import date

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from core.cells import FORMULA_STARTS
from reporting.writers.layout import AUTHOR, Layout, dateline


def _sheet_title(text: str) -> str:
    return "".join(ch for ch in text if ch not in "[]:*?/\\")[:31] or "Sheet"


def render(layout: Layout) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(_("Report"))
    workbook.properties.title, workbook.properties.creator = layout.reference, AUTHOR
    workbook.properties.lastModifiedBy = AUTHOR
    bold = Font(bold=True)
    rows = [0]

    def put(*values, strong=False):
        rows[0] += 1
        for column, value in enumerate(values, 1):
            if value is None or value == "":
                continue
            cell = sheet.cell(row=rows[0], column=column, value=value)
            if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                # Text that a spreadsheet would run as a formula stays text.
                cell.data_type, cell.quotePrefix = "s", True
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            if strong:
                cell.font = bold

    put(layout.unit_name, strong=True)
    put(layout.title, strong=True)
    put(layout.period)
    put(*dateline(layout))
    put()
    for label, value in layout.facts:
        put(label, value)
    for section in layout.sections:
        put()
        put(section.title, strong=True)
        for line in section.lines:
            put(line, strong=section.strong)
        if section.table is not None and section.table.rows:
            put(*section.table.header, strong=True)
            for row in section.table.rows:
                put(*row)
            if section.table.total:
                put(*section.table.total, strong=True)
    for signature in layout.signatures:
        put()
        put(signature.heading, strong=True)
        put(signature.position, signature.name)
    sheet.column_dimensions["A"].width = 45
    for column in "BCDEFGHI":
        sheet.column_dimensions[column].width = 18
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
