"""The report as PDF, from the same document as the DOCX: A4 landscape, DejaVu Sans
embedded (reporting.fonts) for Ө ө Ү ү, the goals spanning the table."""

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as Grid

from plans.document import PlanDocument
from reporting import fonts
from reporting.writers.layout import AUTHOR

PAGE = landscape(A4)
WIDTH = PAGE[0] - 35 * mm
SHARES = (0.05, 0.07, 0.27, 0.25, 0.36)  # the goal column stays narrow: goals span rows


def _text(value: str, style) -> Paragraph:
    return Paragraph(escape(value).replace("\n", "<br/>"), style)


def _grid(document: PlanDocument, cell, heavy) -> Grid:
    rows = [[_text(title, heavy) for title in document.header]]
    spans = []
    for row in document.rows:
        if row.goal:
            spans.append(("SPAN", (0, len(rows)), (-1, len(rows))))
            rows.append([_text(row.goal, heavy), "", "", "", ""])
        else:
            rows.append([_text(text, cell) for text in (
                row.number, "", row.measure, row.criterion, row.performance)])
    grid = Grid(rows, colWidths=[WIDTH * share for share in SHARES], repeatRows=1)
    grid.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        *spans,
    ]))
    return grid


def render(document: PlanDocument) -> bytes:
    regular, bold = fonts.register()
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13, spaceAfter=3)
    strong = ParagraphStyle("strong", parent=body, fontName=bold)
    centred = ParagraphStyle("centred", parent=strong, alignment=TA_CENTER, fontSize=11)
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10, spaceAfter=0)
    heavy = ParagraphStyle("heavy", parent=cell, fontName=bold)
    story = [_text(document.title, centred),
             _text(document.period, ParagraphStyle("p", parent=body, alignment=TA_CENTER)),
             _text(document.dateline, body), _text(document.place, body), Spacer(1, 4),
             _grid(document, cell, heavy)]
    if document.average:
        story += [Spacer(1, 6), _text(document.average, strong)]
    for signature in document.signatures:
        block = Grid([[_text(signature.position, body), _text("_" * 24, body),
                       _text(signature.name, body)]],
                     colWidths=[WIDTH * 0.45, WIDTH * 0.3, WIDTH * 0.25])
        story.append(KeepTogether([Spacer(1, 12), _text(signature.heading + ":", strong),
                                   block]))
    out = io.BytesIO()
    SimpleDocTemplate(
        out, pagesize=PAGE, leftMargin=20 * mm, rightMargin=15 * mm, topMargin=15 * mm,
        bottomMargin=15 * mm, title=document.filename, author=AUTHOR, creator=AUTHOR,
        producer=AUTHOR, subject="", invariant=1,
    ).build(story)
    return out.getvalue()
