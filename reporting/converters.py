"""The path converters of the reports' URLs, registered when this module is imported (by
each feature's urls.py)."""

from django.urls import register_converter


class MonthConverter:
    """`YYYY-MM`, kept as text: a link to a malformed month cannot even be made
    (notify.views drops such a link), and one typed by hand is not found."""

    regex = r"[0-9]{4}-(?:0[1-9]|1[0-2])"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class QuarterConverter(MonthConverter):
    """`YYYY-Qn`."""

    regex = r"[0-9]{4}-Q[1-4]"


register_converter(MonthConverter, "report_month")
register_converter(QuarterConverter, "report_quarter")
