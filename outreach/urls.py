from django.urls import path

from outreach import views

app_name = "outreach"

urlpatterns = [
    path("staff/u/<str:unit_code>/poster/", views.poster, name="poster"),
    path("staff/u/<str:unit_code>/poster/<str:size>.pdf", views.poster_file,
         name="poster_pdf"),
    path("staff/u/<str:unit_code>/screen/", views.screen_settings, name="screen_settings"),
    # The hall screen: public, no sign-in.
    path("screen/<str:unit_code>/", views.screen, name="screen"),
    path("screen/<str:unit_code>/data.json", views.screen_json, name="screen_data"),
    path("screen/<str:unit_code>/qr.svg", views.screen_qr, name="screen_qr"),
]
