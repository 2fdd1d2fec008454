"""The report as XLSX: one sheet with the title, the date line and the place, the
five-column table (goals merged across it) and the signatures. Every cell is neutralised
(core.cells) so no text becomes a formula."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from core.cells import neutralised
from plans.document import PlanDocument
from reporting.writers.layout import AUTHOR

WIDTHS = (6, 10, 50, 45, 70)


def render(document: PlanDocument) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Plan"
    book.properties.creator = book.properties.lastModifiedBy = AUTHOR
    wrap, bold = Alignment(wrap_text=True, vertical="top"), Font(bold=True)
    for line in (document.title, document.period, document.dateline, document.place, ""):
        sheet.append([neutralised(line)])
    sheet["A1"].font = bold
    sheet.append(list(document.header))
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for row in document.rows:
        if row.goal:
            sheet.append([neutralised(row.goal)])
            sheet.merge_cells(start_row=sheet.max_row, start_column=1,
                              end_row=sheet.max_row, end_column=len(document.header))
            sheet.cell(sheet.max_row, 1).font = bold
        else:
            sheet.append([neutralised(text) for text in (
                row.number, "", row.measure, row.criterion, row.performance)])
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
    sheet.append([])
    if document.average:
        sheet.append([neutralised(document.average)])
    for signature in document.signatures:
        sheet.append([neutralised(signature.heading + ":")])
        sheet.append([neutralised(signature.position), "", "", neutralised(signature.name)])
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions["ABCDE"[index]].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
