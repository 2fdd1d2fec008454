"""Intake's URLs: the citizen's pages, then the staff's pages under /staff/u/<unit>/. Each
room (intake/public, intake/channels, intake/case) keeps its own list."""

from intake.case import urls as case_urls
from intake.channels import urls as channels_urls
from intake.public import urls as public_urls

app_name = "intake"

urlpatterns = public_urls.urlpatterns + channels_urls.urlpatterns + case_urls.urlpatterns
