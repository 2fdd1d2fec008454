"""The work done against a year's plan: its activities (with evidence files) and its
trainings, each listed on a page with the form that records another.

Evidence files are sealed (vault.files); downloading one is recorded in the audit trail.
"""

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit.services import record
from intake.fields import upload_too_large
from plans import services
from plans.drafting import coverage
from plans.models import Activity, Evidence, Training
from plans.pages import plan_of, report_reader, require_writer
from plans.plan.forms import ActivityForm, TrainingForm
from reporting.access import may_write
from vault.errors import VaultError
from vault.files import encrypted_download_response


def _activities_page(request, unit, year, *, form=None, refusal=None, status=200):
    plan = plan_of(unit, year)
    activities = (Activity.objects.filter(unit=unit, measure__goal__plan__year=year)
                  .select_related("measure").prefetch_related("evidence").order_by("-day"))
    return render(request, "plans/activities.html", {
        "unit": unit, "plan": plan, "activities": activities, "refusal": refusal,
        "form": (form or ActivityForm(measures=plan.measures()))
        if may_write(request.user, unit) else None,
    }, status=status)


@report_reader
@require_GET
def activities(request, unit, year: int):
    return _activities_page(request, unit, year)


@report_reader
@require_POST
def activity_record(request, unit, year: int):
    require_writer(request, unit)
    plan = plan_of(unit, year)
    form = ActivityForm(request.POST, request.FILES, measures=plan.measures())
    if getattr(request, "upload_too_large", False):
        form.add_error("files", upload_too_large())
    if not form.is_valid():
        return _activities_page(request, unit, year, form=form, status=400)
    data = form.cleaned_data
    uploads = [services.Upload(io.BytesIO(f.data), f.filename, f.content_type)
               for f in data["files"]]
    try:
        services.activity_record(
            unit=unit, measure=data["measure"], kind=data["kind"], channel=data["channel"],
            day=data["day"], place=data["place"], description=data["description"],
            feedback=data["feedback"], uploads=uploads, by=request.user)
    except ValidationError as error:
        return _activities_page(request, unit, year, form=form, refusal=error.messages,
                                status=409)
    messages.success(request, _("The activity was recorded."))
    return redirect("plans:activities", unit_code=unit.code, year=year)


@report_reader
@require_GET
def evidence(request, unit, year: int, uid):
    found = (Evidence.objects.filter(uid=uid, activity__unit=unit,
                                     activity__measure__goal__plan__year=year)
             .select_related("data_key", "activity").first())
    if found is None:
        raise Http404
    try:
        response = encrypted_download_response(
            found.stored_name, data_key=found.data_key,
            context=services.evidence_context(found), filename=found.filename.reveal(),
            content_type=found.content_type, size=found.size)
    except VaultError as error:
        messages.error(request, error.user_message)
        return redirect("plans:activities", unit_code=unit.code, year=year)
    record(actor=request.user, action="plan.evidence_read", target=found.activity,
           unit=unit, details={"files": 1})
    return response


def _trainings_page(request, unit, year, *, form=None, refusal=None, status=200):
    plan = plan_of(unit, year)
    trainings = (Training.objects.filter(unit=unit, measure__goal__plan__year=year)
                 .select_related("measure").annotate(attended=Count("attendees"))
                 .order_by("-day"))
    rows = [(t, coverage(t.attended, t.staff_count)) for t in trainings]
    return render(request, "plans/trainings.html", {
        "unit": unit, "plan": plan, "rows": rows, "refusal": refusal,
        "form": (form or TrainingForm(measures=plan.measures(),
                                      staff=services.active_staff(unit)))
        if may_write(request.user, unit) else None,
    }, status=status)


@report_reader
@require_GET
def trainings(request, unit, year: int):
    return _trainings_page(request, unit, year)


@report_reader
@require_POST
def training_record(request, unit, year: int):
    require_writer(request, unit)
    plan = plan_of(unit, year)
    form = TrainingForm(request.POST, measures=plan.measures(),
                        staff=services.active_staff(unit))
    if not form.is_valid():
        return _trainings_page(request, unit, year, form=form, status=400)
    data = form.cleaned_data
    try:
        services.training_record(
            unit=unit, measure=data["measure"], day=data["day"], topic=data["topic"],
            trainer=data["trainer"], articles=data["articles"],
            attendee_ids=data["attendees"], by=request.user)
    except ValidationError as error:
        return _trainings_page(request, unit, year, form=form, refusal=error.messages,
                               status=409)
    messages.success(request, _("The training was recorded."))
    return redirect("plans:trainings", unit_code=unit.code, year=year)
