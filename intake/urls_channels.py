"""Staff pages for the channels logged by hand, under /staff/u/<unit_code>/intake/."""

from django.urls import path

from intake import views_channels as views

PREFIX = "staff/u/<str:unit_code>/intake/"
OPENING = PREFIX + "boxes/<int:opening_id>/"

urlpatterns = [
    path(PREFIX + "boxes/", views.box_openings, name="box_openings"),
    path(PREFIX + "boxes/new/", views.box_opening_new, name="box_opening_new"),
    path(OPENING, views.box_opening, name="box_opening"),
    path(OPENING + "slip/", views.box_slip_new, name="box_slip_new"),
    path(OPENING + "not-a-complaint/", views.box_slip_not_a_complaint,
         name="box_slip_discard"),
    path(OPENING + "close/", views.box_opening_close, name="box_opening_close"),
    path(PREFIX + "calls/new/", views.phone_call_new, name="phone_call_new"),
    path(PREFIX + "log/<slug:channel>/", views.channel_log, name="channel_log"),
    path(PREFIX + "logged/<int:complaint_id>/", views.logged, name="logged"),
]
