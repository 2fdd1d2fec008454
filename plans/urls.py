"""The plan's pages, one room each: the plan and the work against it (plan/), and its
implementation report (report/). All are named in the `plans` namespace."""

from django.urls import include, path

app_name = "plans"

urlpatterns = [
    path("", include("plans.plan.urls")),
    path("", include("plans.report.urls")),
]
