"""Triage and referral actions on one case. POST only, like every action on a case."""

from django.urls import path

from routing.case import views as views_case

CASE = "staff/u/<str:unit_code>/c/<str:reference>/"
REFERRAL = CASE + "referrals/<str:number>/"

urlpatterns = [
    path(CASE + "triage/", views_case.triage, name="triage"),
    path(CASE + "refer/", views_case.refer, name="refer"),
    path(CASE + "legal-hold/", views_case.legal_hold, name="legal_hold"),
    path(REFERRAL + "approve/", views_case.approve, name="referral_approve"),
    path(REFERRAL + "return/", views_case.send_back, name="referral_return"),
    path(REFERRAL + "answer/", views_case.answer, name="referral_answer"),
    path(REFERRAL + "retry/", views_case.retry, name="referral_retry"),
]
