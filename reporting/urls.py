"""The monthly reports' pages (GET, never changing anything) and their actions (POST)."""

from django.urls import path, register_converter

from reporting import views


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

app_name = "reporting"

REPORTS = "staff/u/<str:unit_code>/reports/"
MONTH = REPORTS + "<report_month:month>/"
DELIVERY = MONTH + "deliveries/<uuid:uid>/"
QUARTER = REPORTS + "quarter/<report_quarter:quarter>/"

urlpatterns = [
    path(REPORTS, views.index, name="index"),
    path(REPORTS + "draft/", views.draft, name="draft"),
    path(QUARTER, views.quarter, name="quarter"),
    path(QUARTER + "export.<str:fmt>", views.quarter_export, name="quarter_export"),
    path(MONTH, views.month, name="month"),
    path(MONTH + "export.<str:fmt>", views.export, name="export"),
    path(MONTH + "units/", views.consolidated, name="consolidated"),
    path(MONTH + "narrative/", views.narrative, name="narrative"),
    path(MONTH + "prepare/", views.prepare, name="prepare"),
    path(MONTH + "approve/", views.approve, name="approve"),
    path(MONTH + "send-back/", views.send_back, name="send_back"),
    path(MONTH + "correct/", views.correct, name="correct"),
    path(DELIVERY + "sent/", views.letter_sent, name="letter_sent"),
    path(DELIVERY + "retry/", views.retry, name="retry"),
]
