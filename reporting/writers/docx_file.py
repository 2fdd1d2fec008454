"""A report as DOCX, in the shape of the paper form: A4 with the margins of Mongolian
official documents, Times New Roman, the signatures on tab stops."""

import io
from datetime import datetime, time

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reporting.writers.layout import AUTHOR, Layout, Table, cell_text, dateline

DOCX_FONT = "Times New Roman"


def styled(doc, *, title: str) -> None:
    """The font of official documents for every script, and properties that name the
    document and nothing else (also the plan report's, plans.writers)."""
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = DOCX_FONT, Pt(11)
    names = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        names.set(qn(script), DOCX_FONT)
    properties = doc.core_properties
    properties.title, properties.author, properties.last_modified_by = title, AUTHOR, AUTHOR
    properties.comments = properties.subject = properties.keywords = ""


def _set_up(doc, layout: Layout) -> None:
    """The page, the font and properties that name the report and nothing else."""
    page = doc.sections[0]
    # A4 with the margins of Mongolian official documents (MNS 5140).
    page.page_width, page.page_height = Mm(210), Mm(297)
    page.left_margin, page.right_margin = Mm(30), Mm(15)
    page.top_margin = page.bottom_margin = Mm(20)
    styled(doc, title=layout.reference)
    properties = doc.core_properties
    properties.created = properties.modified = datetime.combine(layout.day, time())


def paragraph(doc, text="", *, bold=False, size=11, align=None, after=4):
    """A paragraph of one run; `doc` may be a document or a table's cell."""
    para = doc.add_paragraph()
    para.paragraph_format.space_after = Pt(after)
    if align is not None:
        para.alignment = align
    run = para.add_run(text)
    run.bold, run.font.size = bold, Pt(size)
    return para


def _table(doc, grid_of: Table) -> None:
    size = Pt(8 if len(grid_of.header) > 6 else 9)  # the wide tables in smaller type
    grid = doc.add_table(rows=1, cols=len(grid_of.header))
    grid.style, grid.alignment = "Table Grid", WD_TABLE_ALIGNMENT.CENTER
    rows = [(grid_of.header, True)] + [(row, False) for row in grid_of.rows]
    if grid_of.total:
        rows.append((grid_of.total, True))
    for index, (row, bold) in enumerate(rows):
        cells = grid.rows[0].cells if index == 0 else grid.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            para = cell.paragraphs[0]
            if isinstance(value, int):
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = para.add_run(cell_text(value))
            run.bold, run.font.size = bold, size
    paragraph(doc, after=2)


def _heading(doc, layout: Layout) -> None:
    """The unit, the title and the period, centred; the date and place; the facts."""
    center = WD_ALIGN_PARAGRAPH.CENTER
    paragraph(doc, layout.unit_name.upper(), bold=True, align=center)
    paragraph(doc, layout.title.upper(), bold=True, size=13, align=center, after=2)
    paragraph(doc, layout.period, align=center)
    when, where = dateline(layout)
    line = paragraph(doc, f"{when}\t{where}")
    line.paragraph_format.tab_stops.add_tab_stop(Mm(165), WD_TAB_ALIGNMENT.RIGHT)
    for label, value in layout.facts:
        para = paragraph(doc, after=0)
        para.add_run(f"{label}: ").bold = True
        para.add_run(cell_text(value))


def _signatures(doc, layout: Layout) -> None:
    for signature in layout.signatures:
        paragraph(doc, signature.heading + ":",
                   bold=True).paragraph_format.space_before = Pt(14)
        para = paragraph(doc, f"{signature.position}\t{'_' * 20}\t{signature.name}")
        stops = para.paragraph_format.tab_stops
        stops.add_tab_stop(Mm(95), WD_TAB_ALIGNMENT.CENTER)
        stops.add_tab_stop(Mm(165), WD_TAB_ALIGNMENT.RIGHT)


def render(layout: Layout) -> bytes:
    doc = Document()
    _set_up(doc, layout)
    _heading(doc, layout)
    for section in layout.sections:
        paragraph(doc, section.title, bold=True, size=12,
                   after=2).paragraph_format.space_before = Pt(8)
        for text in section.lines:
            paragraph(doc, text, bold=section.strong)
        if section.table is not None and section.table.rows:
            _table(doc, section.table)
    _signatures(doc, layout)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
