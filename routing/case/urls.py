"""Triage and referral actions on one case. POST only, like every action on a case."""

from django.urls import path

from routing.case import matter, views

CASE = "staff/u/<str:unit_code>/c/<str:reference>/"
REFERRAL = CASE + "referrals/<str:number>/"

urlpatterns = [
    path(CASE + "triage/", views.triage, name="triage"),
    path(CASE + "triage/matter/", matter.triage_matter, name="triage_matter"),
    path(CASE + "refer/", views.refer, name="refer"),
    path(REFERRAL + "approve/", views.approve, name="referral_approve"),
    path(REFERRAL + "return/", views.send_back, name="referral_return"),
    path(REFERRAL + "answer/", views.answer, name="referral_answer"),
    path(REFERRAL + "retry/", views.retry, name="referral_retry"),
]
