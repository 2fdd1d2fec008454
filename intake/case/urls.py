"""The staff's queue and case pages. Everything but the queue and the case page itself
takes POST only: reading content and acting on a case are audited events, never a GET."""

from django.urls import path

from intake.case import views, views_matters

CASE = "staff/u/<str:unit_code>/c/<str:reference>/"

urlpatterns = [
    path("staff/u/<str:unit_code>/queue/", views.queue, name="queue"),
    path(CASE, views.case, name="case"),
    path(CASE + "read/", views.case_read, name="case_read"),
    path(CASE + "worklist/", views.case_worklist, name="case_worklist"),
    path(CASE + "acknowledge/", views.case_acknowledge, name="case_acknowledge"),
    path(CASE + "reply/", views.case_reply, name="case_reply"),
    path(CASE + "note/", views.case_note, name="case_note"),
    path(CASE + "amend/", views.case_amend, name="case_amend"),
    path(CASE + "extend/", views.case_extend, name="case_extend"),
    path(CASE + "close/", views.case_close, name="case_close"),
    path(CASE + "matter/link/", views_matters.case_matter_link, name="case_matter_link"),
    path(CASE + "matter/dismiss/", views_matters.case_matter_dismiss,
         name="case_matter_dismiss"),
    path(CASE + "matter/unlink/", views_matters.case_matter_unlink, name="case_matter_unlink"),
    path(CASE + "files/<uuid:uid>/", views.case_file, name="case_file"),
]
