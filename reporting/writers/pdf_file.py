"""A report as PDF: DejaVu Sans embedded (reporting.fonts) for Cyrillic with Ө ө Ү ү, tables
whose columns never break a reference number or a date, the same bytes for the same
report."""

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as Grid

from reporting import fonts
from reporting.writers.layout import AUTHOR, Layout, Table, cell_text, dateline

CELL_PADDING = 3  # points, each side
WIDTH = A4[0] - 45 * mm  # between the margins


def _widths(rows: list[tuple], total: float, font: str, size: float) -> list[float]:
    """Column widths within `total`: each column at least as wide as its longest word, so a
    reference number or a date is never broken (the header's words too, when there is
    room), and what is left shared by how much more each column's texts would take."""

    def longest_word(texts):
        return max(stringWidth(word, font, size) for text in texts for word in text.split()
                   or [""]) + 2 * CELL_PADDING

    columns = [[cell_text(cell) for cell in column] for column in zip(*rows, strict=True)]
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


class _Styles:
    """The paragraph styles of one document, in its two embedded fonts."""

    def __init__(self, regular: str, bold: str):
        self.regular, self.bold = regular, bold
        self.body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13,
                                   spaceAfter=3)
        self.strong = ParagraphStyle("strong", parent=self.body, fontName=bold)
        self.heading = ParagraphStyle("heading", parent=self.strong, fontSize=11,
                                      spaceBefore=8)
        self.centred = ParagraphStyle("centred", parent=self.strong, alignment=TA_CENTER,
                                      fontSize=12)

    def text(self, value, style=None):
        return Paragraph(escape(value), self.body if style is None else style)


def _grid(table: Table, styles: _Styles):
    size = 7 if len(table.header) > 6 else 8  # the wide tables in smaller type
    plain = ParagraphStyle("cell", parent=styles.body, fontSize=size, leading=size + 2,
                           spaceAfter=0)
    heavy = ParagraphStyle("heavy", parent=plain, fontName=styles.bold)
    kinds = {(False, False): plain, (True, False): heavy,
             (False, True): ParagraphStyle("number", parent=plain, alignment=TA_RIGHT),
             (True, True): ParagraphStyle("total", parent=heavy, alignment=TA_RIGHT)}
    rows = [table.header, *table.rows, *([table.total] if table.total else [])]
    last = len(rows) - 1 if table.total else None
    cells = [[styles.text(cell_text(value), kinds[index in (0, last), isinstance(value, int)])
              for value in row] for index, row in enumerate(rows)]
    shown = Grid(cells, colWidths=_widths(rows, WIDTH, styles.bold, size), repeatRows=1)
    shown.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
    ]))
    return shown


def _story(layout: Layout, styles: _Styles) -> list:
    text, body = styles.text, styles.body
    story = [text(layout.unit_name.upper(), styles.centred),
             text(layout.title.upper(), styles.centred),
             text(layout.period, ParagraphStyle("period", parent=body, alignment=TA_CENTER))]
    when, where = dateline(layout)
    dated = Grid([[text(when), text(where, ParagraphStyle("r", parent=body,
                                                          alignment=TA_RIGHT))]],
                 colWidths=[WIDTH / 2] * 2)
    story += [dated, Spacer(1, 4)]
    story += [Paragraph(f"<b>{escape(label)}:</b> {escape(cell_text(value))}", body)
              for label, value in layout.facts]
    for section in layout.sections:
        story.append(text(section.title, styles.heading))
        story += [text(line, styles.strong if section.strong else body)
                  for line in section.lines]
        if section.table is not None and section.table.rows:
            story += [_grid(section.table, styles), Spacer(1, 4)]
    for signature in layout.signatures:
        block = Grid([[text(signature.position), text("_" * 24), text(signature.name)]],
                     colWidths=[WIDTH * 0.45, WIDTH * 0.3, WIDTH * 0.25])
        story.append(KeepTogether([Spacer(1, 12), text(signature.heading + ":",
                                                        styles.strong), block]))
    return story


def render(layout: Layout) -> bytes:
    regular, bold = fonts.register()
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
    ).build(_story(layout, _Styles(regular, bold)), onFirstPage=on_page,
            onLaterPages=on_page)
    return out.getvalue()
