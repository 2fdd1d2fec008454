"""Routing's staff pages: triage and referrals on a case, the head's tracker, and the letters
to print. Each room (routing/case, routing/tracker, routing/letters) keeps its own list."""

from routing.case import urls as case_urls
from routing.letters import urls as letters_urls
from routing.tracker import urls as tracker_urls

app_name = "routing"
urlpatterns = case_urls.urlpatterns + letters_urls.urlpatterns + tracker_urls.urlpatterns
