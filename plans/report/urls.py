from django.urls import path

from plans.report import views

REPORT = "staff/u/<str:unit_code>/plans/<int:year>/report/<str:period>/"

urlpatterns = [
    path(REPORT, views.report, name="report"),
    path(REPORT + "draft/", views.draft, name="report_draft"),
    path(REPORT + "measures/<str:measure>/", views.performance, name="performance"),
    path(REPORT + "prepare/", views.prepare, name="report_prepare"),
    path(REPORT + "approve/", views.approve, name="report_approve"),
    path(REPORT + "send-back/", views.send_back, name="report_send_back"),
    path(REPORT + "correct/", views.correct, name="report_correct"),
    path(REPORT + "letters/<int:outbox_id>/sent/", views.letter_sent,
         name="report_letter_sent"),
    path(REPORT + "export.<str:fmt>", views.export, name="report_export"),
]
