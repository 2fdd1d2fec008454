from django.urls import path

from outreach import said_views, views

app_name = "outreach"

urlpatterns = [
    path("staff/u/<str:unit_code>/poster/", views.poster, name="poster"),
    path("staff/u/<str:unit_code>/poster/<str:size>.pdf", views.poster_file,
         name="poster_pdf"),
    path("staff/u/<str:unit_code>/screen/", views.screen_settings, name="screen_settings"),
    path("staff/u/<str:unit_code>/said/", said_views.said_list, name="said_list"),
    path("staff/u/<str:unit_code>/said/print/", said_views.said_print, name="said_print"),
    path("staff/u/<str:unit_code>/said/<str:reference>/", said_views.said_write,
         name="said_write"),
    path("staff/u/<str:unit_code>/said/<str:reference>/publish/", said_views.said_approve,
         name="said_approve"),
    path("staff/u/<str:unit_code>/said/<str:reference>/withdraw/", said_views.said_withdraw,
         name="said_withdraw"),
    # The hall screen: public, no sign-in.
    path("screen/<str:unit_code>/", views.screen, name="screen"),
    path("screen/<str:unit_code>/data.json", views.screen_json, name="screen_data"),
    path("screen/<str:unit_code>/qr.svg", views.screen_qr, name="screen_qr"),
]
