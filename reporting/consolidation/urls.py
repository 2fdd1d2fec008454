from django.urls import path

from reporting import converters  # noqa: F401 - registers report_month
from reporting.consolidation import views

urlpatterns = [
    path("staff/u/<str:unit_code>/reports/<report_month:month>/units/", views.consolidated,
         name="consolidated"),
]
