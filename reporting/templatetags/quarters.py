"""`{{ quarter|quarter_label }}`: a quarter of the URL ("2026-Q4") as people read it, "2026
оны 4-р улирал" on Mongolian pages, "Q4 2026" on English ones."""

from django import template
from django.utils.translation import gettext

from reporting.figures import parse_quarter

register = template.Library()


@register.filter
def quarter_label(quarter: str) -> str:
    try:
        year, number = parse_quarter(quarter)
    except ValueError:
        return quarter
    return gettext("Q%(number)s %(year)s") % {"number": number, "year": year}
