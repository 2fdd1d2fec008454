from django.urls import path

from intake import views_public

urlpatterns = [
    path("report/", views_public.report, name="report"),
    path("track/", views_public.track, name="track"),
    path("track/message/", views_public.track_message, name="track_message"),
]
