"""Intake's URLs: the citizen's pages, then the staff's pages under /staff/u/<unit>/."""

from intake import urls_case, urls_channels, urls_public

app_name = "intake"

urlpatterns = urls_public.urlpatterns + urls_channels.urlpatterns + urls_case.urlpatterns
