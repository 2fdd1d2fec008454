from django.urls import path

from reporting import converters  # noqa: F401 - registers report_month
from reporting.monthly import views

REPORTS = "staff/u/<str:unit_code>/reports/"
MONTH = REPORTS + "<report_month:month>/"
DELIVERY = MONTH + "deliveries/<uuid:uid>/"

urlpatterns = [
    path(REPORTS, views.index, name="index"),
    path(REPORTS + "draft/", views.draft, name="draft"),
    path(MONTH, views.month, name="month"),
    path(MONTH + "export.<str:fmt>", views.export, name="export"),
    path(MONTH + "narrative/", views.narrative, name="narrative"),
    path(MONTH + "prepare/", views.prepare, name="prepare"),
    path(MONTH + "approve/", views.approve, name="approve"),
    path(MONTH + "send-back/", views.send_back, name="send_back"),
    path(MONTH + "correct/", views.correct, name="correct"),
    path(DELIVERY + "sent/", views.letter_sent, name="letter_sent"),
    path(DELIVERY + "retry/", views.retry, name="retry"),
]
