"""A unit's plans: the list of its years (and making one), one year's plan with its goals
as spanning rows and its measures, and the actions on it (POST, one service each).

A refused rule (plans.services raises ValidationError) shows the page again with the reason
and status 409, bad input 400 with the form as typed; nothing changes either way.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from org.models import Unit
from plans import services
from plans.models import Plan, PlanReport
from plans.pages import plan_of, report_reader, require_head, require_writer
from plans.plan.forms import ActionForm, CreateForm, GoalForm, MeasureForm
from reporting.access import may_approve, may_write


def _index_page(request, unit, *, form=None, refusal=None, status=200):
    plans = Plan.objects.filter(unit=unit).order_by("-year", "-version")
    latest = {}
    for plan in plans:
        latest.setdefault(plan.year, plan)
    return render(request, "plans/index.html", {
        "unit": unit, "plans": list(latest.values()),
        "can_write": may_write(request.user, unit),
        "form": form or CreateForm(initial={"year": timezone.localdate().year}),
        "refusal": refusal,
    }, status=status)


@report_reader
@require_GET
def index(request, unit):
    return _index_page(request, unit)


@report_reader
@require_POST
def create(request, unit):
    require_writer(request, unit)
    form = CreateForm(request.POST)
    if not form.is_valid():
        return _index_page(request, unit, form=form, status=400)
    try:
        plan = services.plan_create(unit=unit, year=form.cleaned_data["year"],
                                    copy=form.cleaned_data["copy"], by=request.user)
    except ValidationError as error:
        return _index_page(request, unit, form=form, refusal=error.messages, status=409)
    messages.success(request, _("The plan for %(year)s was made.") % {"year": plan.year})
    return redirect("plans:plan", unit_code=unit.code, year=plan.year)


def _rows(plan):
    """The plan's goals, each followed by its measures, for the table."""
    rows, measures = [], {}
    for measure in plan.measures():
        measures.setdefault(measure.goal_id, []).append(measure)
    for goal in plan.goals.order_by("number"):
        rows.append({"goal": goal, "measures": measures.get(goal.pk, [])})
    return rows


def _plan_page(request, unit, plan, *, forms=None, refusal=None, status=200):
    forms, user = forms or {}, request.user
    versions = list(Plan.objects.filter(unit=unit, year=plan.year).order_by("-version"))
    latest = versions[0].pk == plan.pk
    version = {"version": plan.version}
    editable = latest and not plan.is_frozen and may_write(user, unit)
    context = {
        "unit": unit, "plan": plan, "rows": _rows(plan), "versions": versions,
        "latest": latest, "editable": editable, "refusal": refusal,
        "reports": PlanReport.objects.filter(unit=unit, year=plan.year)
        .order_by("-through", "-version"),
        "has_children": Unit.objects.active().filter(parent=unit).exists(),
        "action_form": ActionForm(initial=version),
    }
    if editable:
        context["goal_form"] = forms.get("goal") or GoalForm(prefix="goal", initial=version)
        context["measure_form"] = forms.get("measure") or MeasureForm(
            prefix="measure", initial=version)
        context["can_approve"] = may_approve(user, unit)
    if latest and plan.is_frozen:
        context["can_revise"] = may_write(user, unit)
        context["can_push"] = may_approve(user, unit) and context["has_children"]
        context["can_report"] = may_write(user, unit)
    return render(request, "plans/plan.html", context, status=status)


@report_reader
@require_GET
def plan(request, unit, year: int):
    return _plan_page(request, unit, plan_of(unit, year, request.GET.get("version")))


def _acted_on(request, unit, year: int, prefix: str | None = None):
    """The latest plan, and whether the form was sent for this version of it."""
    current = plan_of(unit, year)
    form = ActionForm(request.POST, prefix=prefix)
    return current, form.is_valid() and form.cleaned_data["version"] == current.version


def _moved_on(request, unit, current):
    return _plan_page(request, unit, current, refusal=[
        _("The plan changed while you were looking at it; here it is as it is now.")],
        status=409)


EDIT_FORMS = {"goal": GoalForm, "measure": MeasureForm}


def _shown_again(request, prefix: str, form) -> dict:
    """The sent form with its errors, and the page's other form with what was typed in it
    (the page sends both), so a refusal loses no one's text."""
    forms = {prefix: form}
    for other, form_class in EDIT_FORMS.items():
        if other != prefix:
            typed = {name: request.POST.get(f"{other}-{name}")
                     for name in form_class.base_fields if f"{other}-{name}" in request.POST}
            forms[other] = form_class(prefix=other, initial=typed)
    return forms


def _edit(request, unit, year: int, prefix: str, act):
    require_writer(request, unit)
    current, fresh = _acted_on(request, unit, year, prefix)
    if not fresh:
        return _moved_on(request, unit, current)
    form = EDIT_FORMS[prefix](request.POST, prefix=prefix)
    if not form.is_valid():
        return _plan_page(request, unit, current, forms=_shown_again(request, prefix, form),
                          status=400)
    try:
        act(current, form.cleaned_data)
    except ValidationError as error:
        return _plan_page(request, unit, current, forms=_shown_again(request, prefix, form),
                          refusal=error.messages, status=409)
    messages.success(request, _("The plan was saved."))
    return redirect("plans:plan", unit_code=unit.code, year=year)


@report_reader
@require_POST
def goal(request, unit, year: int):
    return _edit(request, unit, year, "goal", lambda plan, data: (
        services.plan_goal_add(plan=plan, number=data["number"], text=data["text"],
                               by=request.user)))


@report_reader
@require_POST
def measure(request, unit, year: int):
    def act(plan, data):
        fields = services.MeasureText(
            number=data["number"], text=data["text"], criterion=data["criterion"],
            responsible=data["responsible"], due=data["due"], source=data["source"])
        services.plan_measure_save(plan=plan, goal_number=data["goal"], fields=fields,
                                   by=request.user)
    return _edit(request, unit, year, "measure", act)


def _act(request, unit, year: int, service, done: str):
    current, fresh = _acted_on(request, unit, year)
    if not fresh:
        return _moved_on(request, unit, current)
    try:
        result = service(plan=current, by=request.user)
    except ValidationError as error:
        return _plan_page(request, unit, current, refusal=error.messages, status=409)
    messages.success(request, done % {"count": result if isinstance(result, int) else 0})
    return redirect("plans:plan", unit_code=unit.code, year=year)


@report_reader
@require_POST
def approve(request, unit, year: int):
    require_head(request, unit)
    return _act(request, unit, year, services.plan_approve, _("The plan was approved."))


@report_reader
@require_POST
def revise(request, unit, year: int):
    require_writer(request, unit)
    return _act(request, unit, year, services.plan_revise,
                _("A new version of the plan was started."))


@report_reader
@require_POST
def push(request, unit, year: int):
    require_head(request, unit)
    return _act(request, unit, year, services.plan_template_push,
                _("The plan was given to %(count)s units below."))
