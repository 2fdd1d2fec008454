"""The legal hold's action on one case, at the path it had when it was routing's."""

from django.urls import path

from lifecycle import views

CASE = "staff/u/<str:unit_code>/c/<str:reference>/"

app_name = "lifecycle"

urlpatterns = [
    path(CASE + "legal-hold/", views.legal_hold, name="legal_hold"),
]
