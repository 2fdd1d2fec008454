"""The unit's poster for the service hall, the entrance and the information board: its
phone line for bribery and red tape, the agency's hotline, the report form's address with
a QR code, and what happens to a report, in A4 or A3.

    from outreach.poster import poster_pdf, report_address

    data = poster_pdf(unit, size="A4", language="mn")

The addresses come from SHUGEL_PUBLIC_URL, the address citizens reach the site at; the
poster is refused (PosterUnavailable) when it is not set, since a guessed address on a
printed poster cannot be corrected. The QR codes are made by the `qrcode` library and drawn
as vector squares, so they stay sharp at any size.
"""

import io
from datetime import date
from functools import lru_cache

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A3, A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from org.models import Unit
from reporting import fonts
from reporting.exports import month_phrase
from surveys.models import Round

SIZES = {"A4": A4, "A3": A3}
LANGUAGES = ("mn", "en")
MARGIN = 16 * mm
INK, RULE = (0.08, 0.13, 0.24), (0.75, 0.1, 0.1)


class PosterUnavailable(Exception):
    """Why a poster cannot be made; the message is for the person who asked."""


def report_address(unit: Unit) -> str:
    """The report form's public address, with the unit chosen (in the active language)."""
    base = getattr(settings, "PUBLIC_URL", "")
    if not base:
        raise PosterUnavailable(_(
            "The site's public address is not set, so the poster cannot say where to report. "
            "Ask the system administrator to set it in the server's settings."))
    return f"{base}{reverse('intake:report')}?unit={unit.code}"


def survey_address(unit: Unit, day: date) -> str | None:
    """The satisfaction survey's public address, while the unit has a round open on `day`
    or to come; None otherwise."""
    if not Round.objects.for_unit(unit).filter(last_day__gte=day).exists():
        return None
    return f"{settings.PUBLIC_URL}{reverse('surveys:answer', kwargs={'unit_code': unit.code})}"


def poster_pdf(unit: Unit, *, size: str = "A4", language: str = "mn",
               printed: date | None = None) -> bytes:
    if size not in SIZES or language not in LANGUAGES:
        raise ValueError(f"no poster of size {size!r} in {language!r}")
    if not unit.public_phone:
        raise PosterUnavailable(_(
            "The unit has no phone line for bribery and red tape yet; an administrator "
            "enters it on the unit's record."))
    regular, bold = fonts.register()
    with translation.override(language):
        return _draw(unit, SIZES[size], regular, bold, printed or timezone.localdate())


def _draw(unit, page, regular, bold, printed: date) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=page, invariant=True)
    canvas.setTitle(_("Report bribery and red tape — %(unit)s") % {"unit": unit.name})
    # Drawn on A4 and scaled: an A3 poster is the A4 one, larger.
    scale = page[0] / A4[0]
    canvas.scale(scale, scale)
    width, height = A4
    ink = _Ink(canvas, regular, bold, width - 2 * MARGIN)
    y = height - MARGIN
    y = ink.lines(unit.name, bold, 15, y)
    canvas.setStrokeColorRGB(*RULE)
    canvas.setLineWidth(3)
    canvas.line(MARGIN, y - 2 * mm, width - MARGIN, y - 2 * mm)
    y = ink.lines(_("Tell us about bribery, corruption and red tape"), bold, 27, y - 12 * mm)
    y = _line_box(ink, _("Our line for bribery and red tape"), unit.public_phone, y - 8 * mm)
    y = _line_box(ink, _("Anti-Corruption Agency hotline"), settings.AGENCY_HOTLINE,
                  y - 5 * mm)
    y = _qr_block(ink, report_address(unit), y - 8 * mm)
    y -= 5 * mm
    for sentence in (
        _("Every report is logged and answered within the time the law sets; a report of "
          "corruption is passed on to the Anti-Corruption Agency."),
        _("You may report without giving your name. The web form keeps no record of your "
          "computer or phone."),
        _("Keep the receipt code you are given: with it you can follow your report and read "
          "the answer."),
    ):
        y = ink.lines(f"•  {sentence}", regular, 12, y, leading=1.3) - 2 * mm
    if survey := survey_address(unit, printed):
        _survey_block(ink, survey, y - 3 * mm)
    canvas.setFont(regular, 9)
    canvas.setFillColorRGB(0.35, 0.35, 0.35)
    canvas.drawString(MARGIN, MARGIN / 2, _("Printed: %(month)s") % {
        "month": month_phrase(printed.replace(day=1))})
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


class _Ink:
    """Wrapped text on the poster, top down."""

    def __init__(self, canvas, regular, bold, width):
        self.canvas, self.regular, self.bold, self.width = canvas, regular, bold, width

    def lines(self, text: str, font: str, size: float, top: float, *, left: float = MARGIN,
              width: float | None = None, leading: float = 1.2) -> float:
        """Draws `text` wrapped from `top` down; returns the y below it."""
        self.canvas.setFillColorRGB(*INK)
        self.canvas.setFont(font, size)
        y = top
        for line in simpleSplit(text, font, size, width or self.width):
            y -= size * leading
            self.canvas.drawString(left, y, line)
        return y


def _line_box(ink: _Ink, label: str, number: str, top: float) -> float:
    canvas = ink.canvas
    box = 25 * mm
    canvas.setFillColorRGB(0.95, 0.96, 0.98)
    canvas.setStrokeColorRGB(*INK)
    canvas.setLineWidth(1)
    canvas.roundRect(MARGIN, top - box, ink.width, box, 4 * mm, stroke=1, fill=1)
    ink.lines(label, ink.regular, 13, top - 2.5 * mm, left=MARGIN + 6 * mm,
              width=ink.width - 12 * mm)
    ink.lines(number, ink.bold, 32, top - 9.5 * mm, left=MARGIN + 6 * mm)
    return top - box


def _qr_block(ink: _Ink, address: str, top: float) -> float:
    side = 54 * mm
    draw_qr(ink.canvas, address, MARGIN, top - side, side)
    left = MARGIN + side + 8 * mm
    width = ink.width - side - 8 * mm
    y = ink.lines(_("Or report on the web, with your name or without it: scan the code or "
                    "type the address."), ink.regular, 14, top - 4 * mm, left=left,
                  width=width, leading=1.3)
    ink.lines(address, ink.bold, 12, y - 4 * mm, left=left, width=width)
    return top - side


def _survey_block(ink: _Ink, address: str, top: float) -> None:
    side = 34 * mm
    draw_qr(ink.canvas, address, MARGIN, top - side, side)
    left = MARGIN + side + 8 * mm
    width = ink.width - side - 8 * mm
    y = ink.lines(_("How were you served? Tell us in a short survey, without your name."),
                  ink.bold, 13, top - 3 * mm, left=left, width=width, leading=1.3)
    ink.lines(address, ink.regular, 11, y - 3 * mm, left=left, width=width)


@lru_cache(maxsize=64)
def qr_svg(text: str) -> bytes:
    """A QR code of `text` as an SVG document (for screens). Kept once made: the hall
    screen's QR address is public, and asking for it again costs no drawing."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def draw_qr(canvas, text: str, x: float, y: float, side: float) -> None:
    """A QR code of `text` as black squares in a `side`-wide square at (x, y), quiet zone
    included."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    cell = side / len(matrix)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, side, side, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(matrix):
        column = 0
        while column < len(row):  # a run of dark cells is one rectangle: no seams
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            canvas.rect(x + start * cell, y + side - (row_index + 1) * cell,
                        (column - start) * cell, cell * 1.01, stroke=0, fill=1)
