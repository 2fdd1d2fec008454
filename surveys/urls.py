"""The surveys' pages, one room each: the citizen's (public/) and the staff's (staff/). All
are named in the `surveys` namespace."""

from django.urls import include, path

app_name = "surveys"

urlpatterns = [
    path("", include("surveys.public.urls")),
    path("", include("surveys.staff.urls")),
]
