"""Outside the language prefixes: the health check, for load balancers and monitors, and
the site's icon at the address browsers ask for by default."""

from django.urls import path

from core import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
]
