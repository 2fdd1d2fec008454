"""The citizen's survey, at the unit's code: /survey/DG/."""

from django.urls import path

from surveys.public import views

urlpatterns = [
    path("survey/<str:unit_code>/", views.answer, name="answer"),
    path("survey/<str:unit_code>/thanks/", views.thanks, name="thanks"),
]
