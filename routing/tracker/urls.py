"""The head's referral tracker and its CSV export. GET only: both read, neither changes."""

from django.urls import path

from routing.tracker import views

urlpatterns = [
    path("staff/u/<str:unit_code>/referrals/", views.tracker, name="tracker"),
    path("staff/u/<str:unit_code>/referrals/export.csv", views.tracker_csv,
         name="tracker_csv"),
]
