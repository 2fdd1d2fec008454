from django.urls import path

from audit import views

app_name = "audit"

# Included under /staff/u/<unit_code>/audit/.
urlpatterns = [
    path("", views.events, name="events"),
    path("verify/", views.verify, name="verify"),
]
