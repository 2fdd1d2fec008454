"""The head's referral tracker and its CSV export. GET only: both read, neither changes."""

from django.urls import path

from routing import views_tracker

urlpatterns = [
    path("staff/u/<str:unit_code>/referrals/", views_tracker.tracker, name="tracker"),
    path("staff/u/<str:unit_code>/referrals/export.csv", views_tracker.tracker_csv,
         name="tracker_csv"),
]
