"""A unit's surveys for its staff: the rounds, one round's results and paper tallies, a
year's results; and the clerk's two actions, opening a round and entering a stack of paper
forms. Each action is a POST that calls one service, which checks the role again; bad
input shows the page again with the reason (400) and saves nothing.

Who may read is surveys.access.may_read (the unit's staff, the heads above it); someone with
no say in the unit gets 404, as everywhere (org.access), and a reader who may not act 403.
"""

from datetime import date
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from org.access import roles_in_unit, staff_required
from org.models import Unit
from surveys import charts
from surveys.access import may_read, may_write, require
from surveys.forms import RoundOpenForm, TallyForm
from surveys.models import Round
from surveys.results import summarise
from surveys.services import survey_round_open, survey_tally_record


def survey_reader(view):
    """Signed in with the second factor, and allowed to read the unit's surveys; passes the
    Unit named by `unit_code` to the view."""

    @staff_required
    @wraps(view)
    def wrapped(request, unit_code: str, *args, **kwargs):
        unit = Unit.objects.active().filter(code=unit_code).first()
        held = roles_in_unit(request.user, unit) if unit else set()
        if unit is None or not may_read(request.user, unit):
            if held:
                require(False)
            raise Http404
        request.unit_roles = held
        return view(request, unit, *args, **kwargs)

    return wrapped


def _round(unit, year: int, round_no: int) -> Round:
    return get_object_or_404(Round.objects.select_related("questionnaire", "unit"),
                             unit=unit, year=year, number=round_no)


def _index_page(request, unit, *, open_form=None, status=200):
    rounds = Round.objects.for_unit(unit).annotate(paper=Coalesce(Sum("batches__forms"), 0))
    today = timezone.localdate()
    return render(request, "surveys/index.html", {
        "unit": unit, "rounds": rounds, "today": today,
        "years": sorted({survey.year for survey in rounds}, reverse=True),
        "can_write": may_write(request.user, unit),
        "public_url": request.build_absolute_uri(
            reverse("surveys:answer", kwargs={"unit_code": unit.code})),
        "open_form": open_form or RoundOpenForm(),
    }, status=status)


@survey_reader
@require_GET
def index(request, unit):
    return _index_page(request, unit)


@survey_reader
@require_POST
def open_round(request, unit):
    require(may_write(request.user, unit))
    form = RoundOpenForm(request.POST)
    if not form.is_valid():
        return _index_page(request, unit, open_form=form, status=400)
    try:
        survey = survey_round_open(unit=unit, period=form.period(), by=request.user)
    except ValidationError as error:
        form.add_error(None, error)
        return _index_page(request, unit, open_form=form, status=400)
    messages.success(request, _("Round %(round)s is open.") % {"round": survey.label})
    return redirect("surveys:round", unit_code=unit.code, year=survey.year,
                    round_no=survey.number)


def _round_page(request, unit, survey, *, tally_form=None, status=200):
    summary = summarise([survey])
    return render(request, "surveys/round.html", {
        "unit": unit, "survey": survey, "summary": summary,
        "batches": survey.batches.select_related("entered_by"),
        "paper_forms": survey.paper_forms(),
        "open_now": survey.first_day <= timezone.localdate() <= survey.last_day,
        "results": charts.charts_for(summary, prefix=f"round-{survey.label}"),
        "can_write": may_write(request.user, unit),
        "tally_form": tally_form or TallyForm(survey=survey),
    }, status=status)


@survey_reader
@require_GET
def round_detail(request, unit, year: int, round_no: int):
    return _round_page(request, unit, _round(unit, year, round_no))


@survey_reader
@require_POST
def tally(request, unit, year: int, round_no: int):
    require(may_write(request.user, unit))
    survey = _round(unit, year, round_no)
    form = TallyForm(request.POST, survey=survey)
    if not form.is_valid():
        return _round_page(request, unit, survey, tally_form=form, status=400)
    try:
        survey_tally_record(survey=survey, forms=form.cleaned_data["forms"],
                            counts=form.counts(), by=request.user)
    except ValidationError as error:
        form.add_error(None, error)
        return _round_page(request, unit, survey, tally_form=form, status=400)
    messages.success(request, _("The tallies of %(forms)s paper forms were added.")
                     % {"forms": form.cleaned_data["forms"]})
    return redirect("surveys:round", unit_code=unit.code, year=year, round_no=round_no)


@survey_reader
@require_GET
def year_results(request, unit, year: int):
    if not 2000 <= year <= 2999:
        raise Http404
    rounds = list(Round.objects.for_unit(unit).begun_within(date(year, 1, 1), date(year, 12, 31))
                  .select_related("questionnaire").order_by("first_day", "number"))
    summary = summarise(rounds)
    return render(request, "surveys/year.html", {
        "unit": unit, "year": year, "rounds": rounds, "summary": summary,
        "results": charts.charts_for(summary, prefix=f"year-{year}"),
    })
