"""The monthly reports' pages (GET, never changing anything) and their actions (POST), one
feature per subpackage: a unit's months (monthly/), the consolidation of the units below
(consolidation/) and quarterly statistics (quarterly/). All are named in the `reporting`
namespace."""

from django.urls import include, path

app_name = "reporting"

urlpatterns = [
    path("", include("reporting.quarterly.urls")),
    path("", include("reporting.monthly.urls")),
    path("", include("reporting.consolidation.urls")),
]
