"""The agencies' side: the signed callback by which an agency answers a referral. Mounted
at /api/agency/ (config/urls.py), without a language prefix or a session."""

from django.urls import path

from routing.agency_api import views

app_name = "agency_api"
urlpatterns = [
    path("<slug:agency_code>/answers/", views.answers, name="answers"),
]
