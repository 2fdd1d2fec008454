from django.urls import path

from plans.plan import views, views_units, views_work

PLANS = "staff/u/<str:unit_code>/plans/"
YEAR = PLANS + "<int:year>/"

urlpatterns = [
    path(PLANS, views.index, name="index"),
    path(PLANS + "new/", views.create, name="create"),
    path(YEAR, views.plan, name="plan"),
    path(YEAR + "goals/", views.goal, name="goal"),
    path(YEAR + "measures/", views.measure, name="measure"),
    path(YEAR + "approve/", views.approve, name="approve"),
    path(YEAR + "revise/", views.revise, name="revise"),
    path(YEAR + "push/", views.push, name="push"),
    path(YEAR + "activities/", views_work.activities, name="activities"),
    path(YEAR + "activities/new/", views_work.activity_record, name="activity_record"),
    path(YEAR + "evidence/<uuid:uid>/", views_work.evidence, name="evidence"),
    path(YEAR + "trainings/", views_work.trainings, name="trainings"),
    path(YEAR + "trainings/new/", views_work.training_record, name="training_record"),
    path(YEAR + "units/", views_units.units, name="units"),
]
