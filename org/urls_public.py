"""The public start page, at the root of each language ("/" and "/en/"). Its name,
`landing`, is outside the org namespace: templates and LOGOUT_REDIRECT_URL use it."""

from django.urls import path

from org import views

urlpatterns = [
    path("", views.landing, name="landing"),
]
