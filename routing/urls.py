from routing import urls_case, urls_tracker

app_name = "routing"
urlpatterns = urls_case.urlpatterns + urls_tracker.urlpatterns
