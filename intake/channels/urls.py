"""Staff pages for the channels logged by hand, under /staff/u/<unit_code>/intake/."""

from django.urls import path

from intake.channels import views_boxes, views_logged

PREFIX = "staff/u/<str:unit_code>/intake/"
OPENING = PREFIX + "boxes/<int:opening_id>/"

urlpatterns = [
    path(PREFIX + "boxes/", views_boxes.box_openings, name="box_openings"),
    path(PREFIX + "boxes/new/", views_boxes.box_opening_new, name="box_opening_new"),
    path(OPENING, views_boxes.box_opening, name="box_opening"),
    path(OPENING + "slip/", views_boxes.box_slip_new, name="box_slip_new"),
    path(OPENING + "not-a-complaint/", views_boxes.box_slip_not_a_complaint,
         name="box_slip_discard"),
    path(OPENING + "close/", views_boxes.box_opening_close, name="box_opening_close"),
    path(OPENING + "record/", views_boxes.box_opening_print, name="box_opening_print"),
    path(PREFIX + "calls/", views_logged.phone_calls, name="phone_calls"),
    path(PREFIX + "calls/new/", views_logged.phone_call_new, name="phone_call_new"),
    path(PREFIX + "log/<slug:channel>/", views_logged.channel_log, name="channel_log"),
    path(PREFIX + "logged/<int:complaint_id>/", views_logged.logged, name="logged"),
]
