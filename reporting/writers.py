"""The four renderings of a report's `Layout` (built by reporting.exports): DOCX in the
paper form's shape, PDF with DejaVu Sans embedded (reporting.fonts), XLSX and CSV. They
only lay out what the layout holds; what a report says is decided in reporting.exports."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from core.cells import FORMULA_STARTS, neutralised
from reporting import fonts

AUTHOR = "Shugel"
DOCX_FONT = "Times New Roman"


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: list[tuple]  # cells are str, int, date or None
    total: tuple | None = None


@dataclass(frozen=True)
class Section:
    title: str
    lines: list[str] = field(default_factory=list)
    table: Table | None = None
    strong: bool = False  # the lines are statements the reader must not miss


@dataclass(frozen=True)
class Signature:
    heading: str
    position: str
    name: str


@dataclass(frozen=True)
class Layout:
    reference: str  # the PDF's title and the file's name
    unit_name: str
    title: str
    period: str
    place: str
    day: date
    facts: list[tuple[str, str | int]]
    sections: list[Section]
    signatures: list[Signature] = field(default_factory=list)



def day_text(day: date | None) -> str:
    """A day as the Mongolian form writes it: 2026.11.03."""
    return f"{day:%Y.%m.%d}" if day else ""


def _text(cell) -> str:
    if cell is None:
        return ""
    return day_text(cell) if isinstance(cell, date) else str(cell)


def _dateline(layout: Layout) -> tuple[str, str]:
    return day_text(layout.day), layout.place


# --- DOCX ----------------------------------------------------------------------------------

def _docx(layout: Layout) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    page = doc.sections[0]
    # A4 with the margins of Mongolian official documents (MNS 5140).
    page.page_width, page.page_height = Mm(210), Mm(297)
    page.left_margin, page.right_margin = Mm(30), Mm(15)
    page.top_margin = page.bottom_margin = Mm(20)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = DOCX_FONT, Pt(11)
    names = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        names.set(qn(script), DOCX_FONT)
    properties = doc.core_properties
    properties.title, properties.author, properties.last_modified_by = (
        layout.reference, AUTHOR, AUTHOR)
    properties.comments = properties.subject = properties.keywords = ""
    properties.created = properties.modified = datetime.combine(layout.day, time())

    def paragraph(text="", *, bold=False, size=11, align=None, after=4):
        para = doc.add_paragraph()
        para.paragraph_format.space_after = Pt(after)
        if align is not None:
            para.alignment = align
        run = para.add_run(text)
        run.bold, run.font.size = bold, Pt(size)
        return para

    def table(grid_of: Table):
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
                run = para.add_run(_text(value))
                run.bold, run.font.size = bold, size
        paragraph(after=2)

    center = WD_ALIGN_PARAGRAPH.CENTER
    paragraph(layout.unit_name.upper(), bold=True, align=center)
    paragraph(layout.title.upper(), bold=True, size=13, align=center, after=2)
    paragraph(layout.period, align=center)
    when, where = _dateline(layout)
    line = paragraph(f"{when}\t{where}")
    line.paragraph_format.tab_stops.add_tab_stop(Mm(165), WD_TAB_ALIGNMENT.RIGHT)
    for label, value in layout.facts:
        para = paragraph(after=0)
        para.add_run(f"{label}: ").bold = True
        para.add_run(_text(value))
    for section in layout.sections:
        paragraph(section.title, bold=True, size=12, after=2).paragraph_format.space_before = Pt(8)
        for text in section.lines:
            paragraph(text, bold=section.strong)
        if section.table is not None and section.table.rows:
            table(section.table)
    for signature in layout.signatures:
        paragraph(signature.heading + ":", bold=True).paragraph_format.space_before = Pt(14)
        para = paragraph(f"{signature.position}\t{'_' * 20}\t{signature.name}")
        stops = para.paragraph_format.tab_stops
        stops.add_tab_stop(Mm(95), WD_TAB_ALIGNMENT.CENTER)
        stops.add_tab_stop(Mm(165), WD_TAB_ALIGNMENT.RIGHT)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF -----------------------------------------------------------------------------------

CELL_PADDING = 3  # points, each side


def _widths(rows: list[tuple], total: float, font: str, size: float) -> list[float]:
    """Column widths within `total`: each column at least as wide as its longest word, so a
    reference number or a date is never broken (the header's words too, when there is
    room), and what is left shared by how much more each column's texts would take."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def longest_word(texts):
        return max(stringWidth(word, font, size) for text in texts for word in text.split()
                   or [""]) + 2 * CELL_PADDING

    columns = [[_text(cell) for cell in column] for column in zip(*rows, strict=True)]
    least = [max(longest_word(column[:1]), longest_word(column[1:] or [""]))
             for column in columns]
    if sum(least) > total:  # headers may break inside a word; data still may not
        least = [longest_word(column[1:] or [""]) for column in columns]
    if sum(least) >= total:
        return [total * low / sum(least) for low in least]
    wanted = [max(min(max(stringWidth(text, font, size) for text in column), 160)
                  + 2 * CELL_PADDING, low) for column, low in zip(columns, least, strict=True)]
    spare, more = total - sum(least), sum(wanted) - sum(least)
    if more > spare:
        return [low + spare * (want - low) / more
                for low, want in zip(least, wanted, strict=True)]
    return [want * total / sum(wanted) for want in wanted]


def _pdf(layout: Layout) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as Grid

    regular, bold = fonts.register()
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13, spaceAfter=3)
    strong = ParagraphStyle("strong", parent=body, fontName=bold)
    heading = ParagraphStyle("heading", parent=strong, fontSize=11, spaceBefore=8)
    centred = ParagraphStyle("centred", parent=strong, alignment=TA_CENTER, fontSize=12)
    width = A4[0] - 45 * mm

    def text(value, style=body):
        return Paragraph(escape(value), style)

    def grid(table: Table):
        size = 7 if len(table.header) > 6 else 8  # the wide tables in smaller type
        plain = ParagraphStyle("cell", parent=body, fontSize=size, leading=size + 2,
                               spaceAfter=0)
        heavy = ParagraphStyle("heavy", parent=plain, fontName=bold)
        styles = {(False, False): plain, (True, False): heavy,
                  (False, True): ParagraphStyle("number", parent=plain, alignment=TA_RIGHT),
                  (True, True): ParagraphStyle("total", parent=heavy, alignment=TA_RIGHT)}
        rows = [table.header, *table.rows, *([table.total] if table.total else [])]
        last = len(rows) - 1 if table.total else None
        cells = [[text(_text(value), styles[index in (0, last), isinstance(value, int)])
                  for value in row] for index, row in enumerate(rows)]
        shown = Grid(cells, colWidths=_widths(rows, width, bold, size), repeatRows=1)
        shown.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ]))
        return shown

    story = [text(layout.unit_name.upper(), centred), text(layout.title.upper(), centred),
             text(layout.period, ParagraphStyle("period", parent=body, alignment=TA_CENTER))]
    when, where = _dateline(layout)
    dateline = Grid([[text(when), text(where, ParagraphStyle("r", parent=body,
                                                             alignment=TA_RIGHT))]],
                    colWidths=[width / 2] * 2)
    story += [dateline, Spacer(1, 4)]
    story += [Paragraph(f"<b>{escape(label)}:</b> {escape(_text(value))}", body)
              for label, value in layout.facts]
    for section in layout.sections:
        story.append(text(section.title, heading))
        story += [text(line, strong if section.strong else body) for line in section.lines]
        if section.table is not None and section.table.rows:
            story += [grid(section.table), Spacer(1, 4)]
    for signature in layout.signatures:
        block = Grid([[text(signature.position), text("_" * 24), text(signature.name)]],
                     colWidths=[width * 0.45, width * 0.3, width * 0.25])
        story.append(KeepTogether([Spacer(1, 12), text(signature.heading + ":", strong),
                                   block]))

    footer = f"{layout.reference} · "

    def on_page(canvas, doc):
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm,
                               footer + _("page %(page)s") % {"page": doc.page})
        canvas.restoreState()

    out = io.BytesIO()
    # invariant: a fixed creation date and document id, so the same report gives the same
    # bytes. The metadata names the report only.
    SimpleDocTemplate(
        out, pagesize=A4, leftMargin=30 * mm, rightMargin=15 * mm, topMargin=20 * mm,
        bottomMargin=20 * mm, title=layout.reference, author=AUTHOR, creator=AUTHOR,
        producer=AUTHOR, subject="", invariant=1,
    ).build(story, onFirstPage=on_page, onLaterPages=on_page)
    return out.getvalue()


# --- XLSX ----------------------------------------------------------------------------------

def _sheet_title(text: str) -> str:
    return "".join(ch for ch in text if ch not in "[]:*?/\\")[:31] or "Sheet"


def _xlsx(layout: Layout) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

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
    put(*_dateline(layout))
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


# --- CSV -----------------------------------------------------------------------------------

def _csv_cell(value) -> str:
    if isinstance(value, date):
        return value.isoformat()  # every spreadsheet reads ISO dates as dates
    return neutralised(value)


def _csv(layout: Layout) -> bytes:
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


def render(layout: Layout, fmt: str) -> bytes:
    return {"docx": _docx, "pdf": _pdf, "xlsx": _xlsx, "csv": _csv}[fmt](layout)
