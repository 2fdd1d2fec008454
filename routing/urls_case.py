"""Triage and referral actions on one case. POST only, like every action on a case."""

urlpatterns = []
