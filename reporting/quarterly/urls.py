from django.urls import path

from reporting import converters  # noqa: F401 - registers report_quarter
from reporting.quarterly import views

QUARTER = "staff/u/<str:unit_code>/reports/quarter/<report_quarter:quarter>/"

urlpatterns = [
    path(QUARTER, views.quarter, name="quarter"),
    path(QUARTER + "export.<str:fmt>", views.quarter_export, name="quarter_export"),
]
