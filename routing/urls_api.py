"""The agencies' side: the signed callback by which an agency answers a referral."""

from django.urls import path

from routing import views_api

urlpatterns = [
    path("<slug:agency_code>/answers/", views_api.answers, name="answers"),
]
