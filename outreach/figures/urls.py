from django.urls import path

from outreach.figures import views

app_name = "open"

# Public, no sign-in: the figures from approved monthly reports, small counts hidden.
urlpatterns = [
    path("open/", views.index, name="index"),
    path("open/<str:unit_code>/", views.unit_page, name="unit"),
    path("open/<str:unit_code>/figures.csv", views.unit_csv, name="csv"),
    path("open/<str:unit_code>/figures.json", views.unit_json, name="json"),
]
