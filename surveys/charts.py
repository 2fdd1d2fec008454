"""The survey results as SVG drawn on the server, one chart per question: a bar per choice
for its share, a line across the bar's end for its 95 % margin of error, and the figures
written beside it.

As in reporting.charts: no JavaScript, no outside assets, no `style` (the
Content-Security-Policy allows no inline styles), every text escaped by format_html, and
every chart named (`<title>`, `<desc>`). The same figures are in the results table the page
shows beside it.
"""

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from reporting.charts import PALETTE
from surveys.results import PeriodSummary, QuestionResult

WIDTH = 720
LABEL_WIDTH, BAR_LEFT, BAR_WIDTH = 250, 262, 330
ROW, TOP, FONT = 28, 8, 12
AXIS_ROOM = 24


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    description: str
    svg: SafeString


def _joined(parts) -> SafeString:
    # Each part is already a SafeString from format_html, so it is kept as it is.
    return format_html_join("", "{}", ((part,) for part in parts))


def _scale(bottom: float) -> list:
    parts = []
    for value in (0, 25, 50, 75, 100):
        x = round(BAR_LEFT + BAR_WIDTH * value / 100, 1)
        parts.append(format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#d5dbe1" stroke-width="1"/>'
            '<text x="{}" y="{}" font-size="{}" text-anchor="middle">{} %</text>',
            x, TOP, x, bottom, x, bottom + 16, FONT, value))
    return parts


def _row(index: int, share, colour: str) -> SafeString:
    y = TOP + index * ROW
    width = round(BAR_WIDTH * share.percent / 100, 1)
    low = max(0.0, share.percent - share.margin)
    high = min(100.0, share.percent + share.margin)
    x_low = round(BAR_LEFT + BAR_WIDTH * low / 100, 1)
    x_high = round(BAR_LEFT + BAR_WIDTH * high / 100, 1)
    middle = y + ROW / 2
    figures = _("%(percent)s %% ±%(margin)s") % {"percent": number_format(share.percent, 1),
                                                   "margin": number_format(share.margin, 1)}
    return format_html(
        '<g class="share"><text x="{}" y="{}" font-size="{}" text-anchor="end">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}: {} ({})</title></rect>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#1b1f24" stroke-width="1.5"/>'
        '<text x="{}" y="{}" font-size="{}">{}</text></g>',
        LABEL_WIDTH, middle + 4, FONT, share.label,
        BAR_LEFT, y + 6, width, ROW - 12, colour, share.label, figures, share.count,
        x_low, middle, x_high, middle,
        BAR_LEFT + BAR_WIDTH + 8, middle + 4, FONT, figures)


def render_svg(slug: str, question: QuestionResult, description: str) -> SafeString:
    bottom = TOP + len(question.shares) * ROW
    parts = [format_html('<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
                         slug, question.text, slug, description)]
    parts += _scale(bottom)
    parts += [_row(index, share, PALETTE[index % len(PALETTE)])
              for index, share in enumerate(question.shares)]
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        'aria-labelledby="{}-title {}-desc" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" font-family="sans-serif" fill="#1b1f24">'
        '{}</svg>',
        slug, slug, WIDTH, bottom + AXIS_ROOM, _joined(parts))


def charts_for(summary: PeriodSummary, *, prefix: str) -> list[tuple[QuestionResult, Chart | None]]:
    """Each question with its chart (None when it has no answers yet); `prefix` keeps the
    element ids unique on the page."""
    found = []
    for question in summary.questions:
        if not question.total:
            found.append((question, None))
            continue
        slug = f"{prefix}-{question.code}"
        description = _("Share of the %(answers)s answers that chose each answer, with the "
                        "95 %% margin of error.") % {"answers": question.total}
        found.append((question, Chart(slug, question.text, description,
                                      render_svg(slug, question, description))))
    return found
