"""The staff's queue and case pages. Everything but the queue and the case page itself
takes POST only: reading content and acting on a case are audited events, never a GET."""

from django.urls import path

from intake import views_case

CASE = "staff/u/<str:unit_code>/c/<str:reference>/"

urlpatterns = [
    path("staff/u/<str:unit_code>/queue/", views_case.queue, name="queue"),
    path(CASE, views_case.case, name="case"),
    path(CASE + "read/", views_case.case_read, name="case_read"),
    path(CASE + "acknowledge/", views_case.case_acknowledge, name="case_acknowledge"),
    path(CASE + "reply/", views_case.case_reply, name="case_reply"),
    path(CASE + "note/", views_case.case_note, name="case_note"),
    path(CASE + "amend/", views_case.case_amend, name="case_amend"),
    path(CASE + "extend/", views_case.case_extend, name="case_extend"),
    path(CASE + "close/", views_case.case_close, name="case_close"),
    path(CASE + "files/<uuid:uid>/", views_case.case_file, name="case_file"),
]
