from django.contrib.auth import views as auth_views
from django.urls import path

from org import views

app_name = "org"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    # Django's LogoutView accepts POST only; a GET gets 405 and changes nothing.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("", views.home, name="home"),
    path("u/<str:unit_code>/", views.unit_home, name="unit_home"),
    path("u/<str:unit_code>/people/", views.people, name="people"),
]
