"""The legal hold's action on one case.

It is served in routing's URL namespace, as `routing:legal_hold` at the path it always had:
it was routing's until issue 16, and templates, tests and the access tables name it so.
config/urls.py joins these patterns to routing's under that namespace; routing itself
knows nothing of them."""

from django.urls import path

from lifecycle import views

CASE = "staff/u/<str:unit_code>/c/<str:reference>/"

urlpatterns = [
    path(CASE + "legal-hold/", views.legal_hold, name="legal_hold"),
]
