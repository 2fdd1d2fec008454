"""The report as DOCX: A4 landscape, Times New Roman, the title in capitals, the date line
and the place, the five-column table with the goals spanning it, the signatures."""

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.shared import Mm, Pt

from plans.document import PlanDocument
from reporting.writers.docx_file import paragraph, styled

WIDTHS_MM = (12, 18, 72, 65, 95)  # within the 262 mm between the margins


def _set_up(doc, document: PlanDocument) -> None:
    page = doc.sections[0]
    page.orientation = WD_ORIENT.LANDSCAPE
    page.page_width, page.page_height = Mm(297), Mm(210)
    page.left_margin, page.right_margin = Mm(20), Mm(15)
    page.top_margin = page.bottom_margin = Mm(15)
    styled(doc, title=document.filename)


def _cell(cell, text: str, *, bold=False, size=9) -> None:
    lines = text.split("\n")
    para = cell.paragraphs[0]
    for index, line in enumerate(lines):
        if index:
            para = cell.add_paragraph()
        run = para.add_run(line)
        run.bold, run.font.size = bold, Pt(size)


def _table(doc, document: PlanDocument) -> None:
    grid = doc.add_table(rows=1, cols=len(document.header))
    grid.style, grid.alignment = "Table Grid", WD_TABLE_ALIGNMENT.CENTER
    for cell, title in zip(grid.rows[0].cells, document.header, strict=True):
        _cell(cell, title, bold=True)
    for row in document.rows:
        cells = grid.add_row().cells
        if row.goal:
            merged = cells[0].merge(cells[-1])
            _cell(merged, row.goal, bold=True)
            continue
        for cell, text in zip(cells, (row.number, "", row.measure, row.criterion,
                                      row.performance), strict=True):
            _cell(cell, text)
    for row in grid.rows:
        for cell, width in zip(row.cells, WIDTHS_MM, strict=False):
            cell.width = Mm(width)


def render(document: PlanDocument) -> bytes:
    doc = Document()
    _set_up(doc, document)
    center = WD_ALIGN_PARAGRAPH.CENTER
    paragraph(doc, document.title, bold=True, size=12, align=center)
    paragraph(doc, document.period, align=center)
    paragraph(doc, document.dateline)
    paragraph(doc, document.place)
    _table(doc, document)
    if document.average:
        paragraph(doc, document.average, bold=True).paragraph_format.space_before = Pt(6)
    for signature in document.signatures:
        paragraph(doc, signature.heading + ":", bold=True).paragraph_format.space_before = (
            Pt(14))
        para = paragraph(doc, f"{signature.position}\t{'_' * 20}\t{signature.name}")
        stops = para.paragraph_format.tab_stops
        stops.add_tab_stop(Mm(140), WD_TAB_ALIGNMENT.CENTER)
        stops.add_tab_stop(Mm(255), WD_TAB_ALIGNMENT.RIGHT)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
