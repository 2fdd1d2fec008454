"""The health check: outside the language prefixes, for load balancers and monitors."""

from django.urls import path

from core import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]
