from routing import urls_api

app_name = "agency_api"
urlpatterns = urls_api.urlpatterns
