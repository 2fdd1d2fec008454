from django.urls import path

from outreach import views

app_name = "outreach"

urlpatterns = [
    path("staff/u/<str:unit_code>/poster/", views.poster, name="poster"),
    path("staff/u/<str:unit_code>/poster/<str:size>.pdf", views.poster_file,
         name="poster_pdf"),
]
