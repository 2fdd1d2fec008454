"""The citizen's pages: report without an account, then follow the case with a receipt."""

from django.urls import path

from intake.public import views

urlpatterns = [
    path("report/", views.report, name="report"),
    path("report/receipt/", views.receipt, name="receipt"),
    path("track/", views.track, name="track"),
    path("track/message/", views.track_message, name="track_message"),
]
