"""Referrals sent as printed letters: print, then mark as sent."""

from django.urls import path

from routing import views_letters

LETTERS = "staff/u/<str:unit_code>/letters/"

urlpatterns = [
    path(LETTERS, views_letters.letters, name="letters"),
    path(LETTERS + "<str:number>/print/", views_letters.letter_print, name="letter_print"),
    path(LETTERS + "<str:number>/sent/", views_letters.letter_sent, name="letter_sent"),
]
