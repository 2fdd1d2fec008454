from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from config import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]

# Mongolian at /…, English at /en/….
urlpatterns += i18n_patterns(
    path("", views.landing, name="landing"),
    # The language switch is a POST form, so it works without JavaScript. It sits under the
    # language prefix so that it can read the page it came from in that page's language.
    path("i18n/setlang/", set_language, name="set_language"),
    path("staff/", include("org.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
