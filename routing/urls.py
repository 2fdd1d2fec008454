from routing import urls_case, urls_letters, urls_tracker

app_name = "routing"
urlpatterns = urls_case.urlpatterns + urls_letters.urlpatterns + urls_tracker.urlpatterns
