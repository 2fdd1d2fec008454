"""Referrals sent as printed letters: print, then mark as sent."""

from django.urls import path

from routing.letters import views

LETTERS = "staff/u/<str:unit_code>/letters/"

urlpatterns = [
    path(LETTERS, views.letters, name="letters"),
    path(LETTERS + "<str:number>/print/", views.letter_print, name="letter_print"),
    path(LETTERS + "<str:number>/sent/", views.letter_sent, name="letter_sent"),
]
