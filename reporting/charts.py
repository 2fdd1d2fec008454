"""The charts of the reports pages: complaints per month for the last twelve months, by
channel, by category and corruption-related, as SVG drawn on the server.

No JavaScript and no outside assets. The Content-Security-Policy allows no inline styles,
so colours and sizes are SVG presentation attributes (`fill`, `font-size`), never `style`.
Every chart names itself (`<title>`, `<desc>`, `aria-labelledby`) and carries the same
numbers as a table (`Chart.rows`), which the page shows beside it for anyone who cannot
see the picture. Every text in the SVG is escaped (format_html).

The numbers come from `figures.trend`: one query on the counters, no complaint loaded.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from intake.models import Channel
from reporting.figures import trend
from routing.models import Category

MONTHS_SHOWN = 12
# Okabe-Ito and a few more: told apart by most people who see colours differently.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442",
           "#000000", "#999999", "#882255", "#44aa99", "#332288")
CORRUPTION_COLOUR = "#a4262c"

# Geometry, in SVG user units (the picture scales to its box).
WIDTH, PLOT_HEIGHT = 720, 220
LEFT, RIGHT, TOP = 56, 16, 16
AXIS_ROOM = 58  # month numbers, years and the axis name under the bars
LEGEND_ROW, LEGEND_COLUMNS = 20, 2
FONT = 12


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    values: tuple[int, ...]
    colour: str

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass(frozen=True)
class Chart:
    """One chart: what it shows (`series`, per month of `months`) and its SVG."""

    slug: str
    title: str
    description: str
    months: tuple[date, ...]
    series: tuple[Series, ...]
    svg: SafeString

    @property
    def month_labels(self) -> list[str]:
        return [month_label(month) for month in self.months]

    @property
    def rows(self) -> list[tuple[str, list[int], int]]:
        """The text alternative: per month, each series' number and the month's total."""
        return [(label, [series.values[index] for series in self.series],
                 sum(series.values[index] for series in self.series))
                for index, label in enumerate(self.month_labels)]

    @property
    def totals(self) -> list[int]:
        return [series.total for series in self.series]

    @property
    def total(self) -> int:
        return sum(self.totals)


def month_label(month: date) -> str:
    """"2026.10" in Mongolian, "October 2026" in English (YEAR_MONTH_FORMAT)."""
    return date_format(month, "YEAR_MONTH_FORMAT")


def months_ending(last: date, count: int = MONTHS_SHOWN) -> list[date]:
    """The first days of the `count` months that end with the month of `last`, oldest
    first."""
    year, month, months = last.year, last.month, []
    for _step in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


# --- drawing --------------------------------------------------------------------------------

def _nice_top(highest: int) -> tuple[int, int]:
    """The top of the value axis and its step: 1, 2 or 5 times a power of ten, at most five
    steps, at least one."""
    if highest <= 0:
        return 1, 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            candidate = step * factor
            if highest <= candidate * 5:
                top = -(-highest // candidate) * candidate
                return top, candidate
        step *= 10


def _join(parts) -> SafeString:
    # Every part is a SafeString from format_html: joining them keeps them safe.
    return mark_safe("".join(parts))  # noqa: S308


def _legend(series: tuple[Series, ...], top: float) -> tuple[list, int]:
    parts = []
    column_width = (WIDTH - LEFT - RIGHT) / LEGEND_COLUMNS
    for index, entry in enumerate(series):
        x = LEFT + (index % LEGEND_COLUMNS) * column_width
        y = top + (index // LEGEND_COLUMNS) * LEGEND_ROW
        parts.append(format_html(
            '<g class="legend-item"><rect x="{}" y="{}" width="12" height="12" fill="{}"/>'
            '<text x="{}" y="{}" font-size="{}">{} ({})</text></g>',
            round(x, 1), round(y, 1), entry.colour, round(x + 18, 1), round(y + 11, 1), FONT,
            entry.label, entry.total))
    rows = -(-len(series) // LEGEND_COLUMNS)
    return parts, rows * LEGEND_ROW


def _value_axis(top: int, step: int, scale: float, bottom: float, label: str) -> list:
    """Gridlines with their numbers, and the axis's name turned upright."""
    parts = []
    for value in range(0, top + 1, step):
        y = round(bottom - value * scale, 1)
        parts.append(format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#d5dbe1" stroke-width="1"/>'
            '<text x="{}" y="{}" font-size="{}" text-anchor="end">{}</text>',
            LEFT, y, WIDTH - RIGHT, y, LEFT - 6, round(y + 4, 1), FONT, value))
    parts.append(format_html(
        '<text x="{}" y="{}" font-size="{}" text-anchor="middle" '
        'transform="rotate(-90 {} {})">{}</text>',
        14, TOP + PLOT_HEIGHT / 2, FONT, 14, TOP + PLOT_HEIGHT / 2, label))
    return parts


def _bars(months: list[date], series: tuple[Series, ...], *, slot: float, scale: float,
          bottom: float) -> list:
    """Each month's stack of bars (each with a tooltip), the month under it and the year
    under January and under the first month."""
    parts, bar = [], slot * 0.64
    for index, month in enumerate(months):
        x = round(LEFT + index * slot + (slot - bar) / 2, 1)
        floor = bottom
        label = month_label(month)
        for entry in series:
            value = entry.values[index]
            if not value:
                continue
            height = value * scale
            floor -= height
            parts.append(format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                '<title>{}, {}: {}</title></rect>',
                x, round(floor, 1), round(bar, 1), round(height, 1), entry.colour,
                label, entry.label, value))
        centre = round(LEFT + index * slot + slot / 2, 1)
        parts.append(format_html(
            '<text x="{}" y="{}" font-size="{}" text-anchor="middle">{}</text>',
            centre, bottom + 16, FONT, f"{month:%m}"))
        if index == 0 or month.month == 1:
            parts.append(format_html(
                '<text x="{}" y="{}" font-size="{}" text-anchor="middle">{}</text>',
                centre, bottom + 30, FONT, month.year))
    return parts


def render_svg(slug: str, title: str, description: str, months: list[date],
               series: tuple[Series, ...], *, value_axis: str) -> SafeString:
    """Bars per month, the series stacked in the order given; a value axis with gridlines,
    the months under the bars (the year under January and under the first month), and the
    legend under that."""
    count = len(months)
    stacks = [sum(entry.values[index] for entry in series) for index in range(count)]
    top, step = _nice_top(max(stacks, default=0))
    plot_width = WIDTH - LEFT - RIGHT
    slot = plot_width / max(count, 1)
    bottom = TOP + PLOT_HEIGHT
    scale = PLOT_HEIGHT / top

    parts = [format_html('<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
                         slug, title, slug, description)]
    parts += _value_axis(top, step, scale, bottom, value_axis)
    parts += _bars(months, series, slot=slot, scale=scale, bottom=bottom)
    parts.append(format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#52606d" stroke-width="1"/>',
        LEFT, bottom, WIDTH - RIGHT, bottom))
    parts.append(format_html(
        '<text x="{}" y="{}" font-size="{}" text-anchor="middle">{}</text>',
        LEFT + plot_width / 2, bottom + 48, FONT, _("Month")))
    legend, legend_height = _legend(series, bottom + AXIS_ROOM + 4)
    parts.extend(legend)
    height = round(bottom + AXIS_ROOM + legend_height + 8)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        'aria-labelledby="{}-title {}-desc" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" font-family="sans-serif" fill="#1b1f24">'
        '{}</svg>',
        slug, slug, WIDTH, height, _join(parts))


# --- the three charts -----------------------------------------------------------------------

def _values(by_month: dict[str, int], months: list[date]) -> tuple[int, ...]:
    return tuple(by_month.get(f"{month:%Y-%m}", 0) for month in months)


def _describe(what: str, months: list[date], total: int) -> str:
    return _("%(what)s, %(first)s to %(last)s. In all: %(total)s.") % {
        "what": what, "first": month_label(months[0]), "last": month_label(months[-1]),
        "total": total}


def _chart(slug, title, what, months, series, *, value_axis) -> Chart:
    series = tuple(series)
    description = _describe(what, months, sum(entry.total for entry in series))
    return Chart(slug, title, description, tuple(months), series,
                 render_svg(slug, title, description, months, series,
                            value_axis=value_axis))


def by_channel(data: dict, months: list[date], slug: str) -> Chart:
    labels = dict(Channel.choices)
    known = [value for value in labels if value in data["by_channel"]]
    others = sorted(set(data["by_channel"]) - set(labels))
    series = [Series(value, str(labels.get(value, value)),
                     _values(data["by_channel"][value], months),
                     PALETTE[index % len(PALETTE)])
              for index, value in enumerate(known + others)]
    return _chart(slug, _("Complaints received by channel"),
                  _("Complaints and suggestions received each month, by channel"),
                  months, series, value_axis=_("Received"))


def by_category(data: dict, months: list[date], slug: str) -> Chart:
    codes = data["by_category"]
    ordered = [category for category in Category.objects.filter(code__in=codes)]
    names = {category.code: category.name for category in ordered}
    order = [category.code for category in ordered]
    order += sorted(set(codes) - set(order))
    series = [Series(code, names.get(code, code), _values(codes[code], months),
                     PALETTE[index % len(PALETTE)])
              for index, code in enumerate(order)]
    return _chart(slug, _("Complaints received by category"),
                  _("Complaints received each month, by category (a complaint may be in "
                    "more than one)"),
                  months, series, value_axis=_("Complaints"))


def corruption(data: dict, months: list[date], slug: str) -> Chart:
    series = [Series("corruption", _("Corruption-related"),
                     _values(data["corruption"], months), CORRUPTION_COLOUR)]
    return _chart(slug, _("Corruption-related complaints"),
                  _("Corruption-related complaints received each month"),
                  months, series, value_axis=_("Complaints"))


def charts_for(unit_ids, last: date, *, prefix: str = "chart") -> list[Chart]:
    """The three charts of `unit_ids` for the twelve months ending with `last`'s month.
    `prefix` keeps the element ids unique on the page."""
    months = months_ending(last)
    data = trend(unit_ids, months)
    return [by_channel(data, months, f"{prefix}-channel"),
            by_category(data, months, f"{prefix}-category"),
            corruption(data, months, f"{prefix}-corruption")]
