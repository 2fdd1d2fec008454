from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("core.urls")),
    # Machine to machine: no language prefix, no session, signed requests only.
    path("api/agency/", include("routing.agency_api.urls")),
]

# Mongolian at /…, English at /en/….
urlpatterns += i18n_patterns(
    path("", include("org.urls_public")),
    path("", include("intake.urls")),
    path("", include("routing.urls")),
    path("", include("lifecycle.urls")),
    path("", include("reporting.urls")),
    path("", include("surveys.urls")),
    path("", include("plans.urls")),
    path("", include("outreach.urls")),
    path("", include("outreach.figures.urls")),
    path("staff/", include("org.urls")),
    path("staff/notifications/", include("notify.urls")),
    path("staff/u/<str:unit_code>/audit/", include("audit.urls")),
    path("staff/u/<str:unit_code>/ops/", include("ops.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
