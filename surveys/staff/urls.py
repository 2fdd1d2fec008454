from django.urls import path

from surveys.staff import views

SURVEYS = "staff/u/<str:unit_code>/surveys/"
ROUND = SURVEYS + "<int:year>/<int:round_no>/"

urlpatterns = [
    path(SURVEYS, views.index, name="index"),
    path(SURVEYS + "open/", views.open_round, name="open"),
    path(SURVEYS + "<int:year>/", views.year_results, name="year"),
    path(ROUND, views.round_detail, name="round"),
    path(ROUND + "tally/", views.tally, name="tally"),
]
