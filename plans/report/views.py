"""The implementation report of a year's plan for a period (the first half-year, the year,
or the year as of a day): each measure's performance beside its figures, marked stale when
the records now give other figures; the clerk's edits and the approval; the downloads.
"""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from core.dates import normalise
from outbox.models import Outbox
from plans import reports
from plans.deliveries import deliveries_of, plan_letter_mark_sent
from plans.document import average_level, build
from plans.models import Plan, PlanReport, PlanState, ReportState
from plans.pages import plan_of, report_reader, require_head, require_writer
from plans.report.forms import CorrectForm, LetterSentForm, PerformanceForm
from plans.writers import FORMATS
from plans.writers import render as render_file
from reporting.access import may_approve, may_write
from reporting.fonts import FontMissing


def normalise_day(text: str):
    """A day typed as 2026.11.15 (or 2026-11-15); ValueError otherwise."""
    return datetime.strptime(normalise(text or ""), "%Y.%m.%d").date()


def _period(year: int, key: str):
    try:
        return reports.period_of(year, key)
    except ValueError:
        raise Http404 from None


def _versions(unit, year, key):
    kind, period = _period(year, key)
    return list(PlanReport.objects.filter(unit=unit, year=year, kind=kind,
                                          through=period.last).order_by("-version")), period


def _shown(request, versions):
    asked = request.GET.get("version")
    if asked is None:
        return versions[0] if versions else None
    for report in versions:
        if asked.isdigit() and report.version == int(asked):
            return report
    raise Http404


FIGURES = {
    "corruption": _lazy("Corruption-related complaints"), "referred": _lazy("Referred"),
    "recommendations": _lazy("Recommendations"), "notices": _lazy("Notices"),
    "months": _lazy("Months with an approved report"),
    "months_missing": _lazy("Months without an approved report"),
    "trainings": _lazy("Trainings"), "count": _lazy("Count"),
    "activities": _lazy("Activities"), "by_kind": _lazy("Activities by kind"),
}


def _shown_value(value):
    if isinstance(value, list):
        return ", ".join(str(item.get("day", item)) if isinstance(item, dict) else str(item)
                         for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {count}" for key, count in value.items())
    return value


def _stale(performance, period):
    changes = reports.staleness(performance, period)
    return [{"label": FIGURES.get(change["key"], change["key"]),
             "was": _shown_value(change["was"]), "now": _shown_value(change["now"])}
            for change in changes or []]


def _lines(report, period, bound, editable):
    lines = []
    for performance in report.performances.select_related("measure__goal"):
        line = {"performance": performance, "stale": _stale(performance, period)}
        if editable:
            prefix = f"m{performance.pk}"
            line["form"] = PerformanceForm(bound, prefix=prefix) if bound else PerformanceForm(
                prefix=prefix,
                initial={"text": performance.text, "level": str(performance.level)})
        lines.append(line)
    return lines


def _report_page(request, unit, year, key, *, forms=None, bound=None, refusal=None,
                 status=200):
    versions, period = _versions(unit, year, key)
    report, user = _shown(request, versions), request.user
    plan = Plan.objects.filter(unit=unit, year=year, state=PlanState.APPROVED).order_by(
        "-version").first()
    latest = bool(report) and report.pk == versions[0].pk
    editable = latest and report.state == ReportState.DRAFT and may_write(user, unit)
    context = {
        "unit": unit, "year": year, "key": key, "period": period, "report": report,
        "versions": versions, "plan": plan, "refusal": refusal, "latest": latest,
        "can_draft": report is None and plan is not None and may_write(user, unit),
        "editable": editable, "formats": list(FORMATS),
    }
    if report is not None:
        lines = _lines(report, period, bound, editable)
        deliveries = list(deliveries_of(report)) if report.is_frozen else []
        context.update({
            "lines": lines, "average": average_level(
                [line["performance"] for line in lines]),
            "can_prepare": editable,
            "deliveries": deliveries,
            "letter_forms": [
                (row, (forms or {}).get(f"letter-{row.pk}")
                 or LetterSentForm(prefix=f"letter-{row.pk}"))
                for row in deliveries
                if row.state == Outbox.State.MANUAL and latest and may_write(user, unit)],
            "can_approve": latest and report.state == ReportState.PREPARED
            and may_approve(user, unit),
            "can_correct": latest and report.is_frozen and may_write(user, unit),
            "correct_form": (forms or {}).get("correct") or CorrectForm(prefix="correct"),
        })
    return render(request, "plans/report.html", context, status=status)


@report_reader
@require_GET
def report(request, unit, year: int, period: str):
    plan_of(unit, year)
    if "as_of" in request.GET:  # the plan page's "as of a day" form
        try:
            day = normalise_day(request.GET["as_of"])
            reports.period_of(year, f"{day:%Y-%m-%d}")
        except ValueError:
            messages.error(request, _("Write a day of %(year)s as year.month.day.")
                           % {"year": year})
            return redirect("plans:plan", unit_code=unit.code, year=year)
        return redirect("plans:report", unit_code=unit.code, year=year,
                        period=f"{day:%Y-%m-%d}")
    return _report_page(request, unit, year, period)


def _latest(unit, year, key) -> PlanReport:
    versions, _period_ = _versions(unit, year, key)
    if not versions:
        raise Http404
    return versions[0]


def _saved(request, unit, year, key, text):
    messages.success(request, text)
    return redirect("plans:report", unit_code=unit.code, year=year, period=key)


def _refused(request, unit, year, key, error, forms=None):
    return _report_page(request, unit, year, key, forms=forms, refusal=error.messages,
                        status=409)


@report_reader
@require_POST
def draft(request, unit, year: int, period: str):
    require_writer(request, unit)
    _period(year, period)
    plan = Plan.objects.filter(unit=unit, year=year, state=PlanState.APPROVED).order_by(
        "-version").first()
    try:
        if plan is None:
            raise ValidationError(_("Approve the plan before reporting on it."))
        reports.plan_report_draft(plan=plan, key=period, by=request.user)
    except ValidationError as error:
        return _refused(request, unit, year, period, error)
    return _saved(request, unit, year, period, _("The report was drafted from the records."))


@report_reader
@require_POST
def performance(request, unit, year: int, period: str, measure: str):
    require_writer(request, unit)
    current = _latest(unit, year, period)
    line = current.performances.filter(measure__number=measure).first()
    if line is None:
        raise Http404
    form = PerformanceForm(request.POST, prefix=f"m{line.pk}")
    if not form.is_valid():
        return _report_page(request, unit, year, period, bound=request.POST, status=400)
    try:
        reports.performance_edit(performance=line, text=form.cleaned_data["text"],
                                 level=form.cleaned_data["level"],
                                 redraft=form.cleaned_data["redraft"], by=request.user)
    except ValidationError as error:
        return _report_page(request, unit, year, period, bound=request.POST,
                            refusal=error.messages, status=409)
    return _saved(request, unit, year, period,
                  _("Measure %(number)s was saved.") % {"number": measure})


def _step(request, unit, year, period, service, text):
    try:
        service(report=_latest(unit, year, period), by=request.user)
    except ValidationError as error:
        return _refused(request, unit, year, period, error)
    return _saved(request, unit, year, period, text)


@report_reader
@require_POST
def prepare(request, unit, year: int, period: str):
    """"Mark prepared" is the button of the form that holds every measure's wording and
    level: what was typed there is saved with it, not lost."""
    require_writer(request, unit)
    current = _latest(unit, year, period)
    edits = []
    for line in current.performances.all():
        form = PerformanceForm(request.POST, prefix=f"m{line.pk}")
        if f"m{line.pk}-level" not in request.POST:
            continue  # a form the page did not show
        if not form.is_valid():
            return _report_page(request, unit, year, period, bound=request.POST, status=400)
        edits.append(reports.Edit(line.pk, form.cleaned_data["text"],
                                  form.cleaned_data["level"]))
    try:
        reports.plan_report_prepare(report=current, by=request.user, edits=edits)
    except ValidationError as error:
        return _report_page(request, unit, year, period, bound=request.POST or None,
                            refusal=error.messages, status=409)
    return _saved(request, unit, year, period,
                  _("The report was sent to the head for review."))


@report_reader
@require_POST
def approve(request, unit, year: int, period: str):
    require_head(request, unit)
    return _step(request, unit, year, period, reports.plan_report_approve,
                 _("The report was approved and frozen."))


@report_reader
@require_POST
def send_back(request, unit, year: int, period: str):
    require_head(request, unit)
    return _step(request, unit, year, period, reports.plan_report_send_back,
                 _("The report was sent back to be redone."))


@report_reader
@require_POST
def correct(request, unit, year: int, period: str):
    require_writer(request, unit)
    if (kept := _typed_elsewhere(request, unit, year, period, "correct")) is not None:
        return kept
    current = _latest(unit, year, period)
    form = CorrectForm(request.POST, prefix="correct")
    if not form.is_valid():
        return _report_page(request, unit, year, period, forms={"correct": form}, status=400)
    try:
        reports.plan_report_correct(report=current, reason=form.cleaned_data["reason"],
                                    by=request.user)
    except ValidationError as error:
        return _refused(request, unit, year, period, error, forms={"correct": form})
    return _saved(request, unit, year, period, _("A correction of the report was started."))


def _typed_elsewhere(request, unit, year, period, own: str):
    """The report page again, doing nothing, when the approved report's one form carries
    text in another box than the pressed button's (`own`): every box comes back as typed."""
    others = {key.rsplit("-", 1)[0] for key, value in request.POST.items()
              if value.strip() and key.endswith(("-letter_number", "-reason"))
              and key.startswith(("letter-", "correct-"))} - {own}
    if not others:
        return None
    forms = {prefix: (CorrectForm if prefix == "correct" else LetterSentForm)(
        request.POST, prefix=prefix) for prefix in others | {own}}
    return _report_page(request, unit, year, period, forms=forms, status=409, refusal=[
        _("You also typed in another box of this form. Nothing was done, so that no text "
          "is lost: send each with its own button.")])


@report_reader
@require_POST
def letter_sent(request, unit, year: int, period: str, outbox_id: int):
    """The printed report was posted to an agency that takes letters: its number is kept."""
    require_writer(request, unit)
    prefix = f"letter-{outbox_id}"
    if (kept := _typed_elsewhere(request, unit, year, period, prefix)) is not None:
        return kept
    form = LetterSentForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return _report_page(request, unit, year, period, forms={prefix: form}, status=400)
    try:
        plan_letter_mark_sent(report=_latest(unit, year, period), outbox_id=outbox_id,
                              by=request.user, letter_number=form.cleaned_data["letter_number"])
    except ValidationError as error:
        return _refused(request, unit, year, period, error, forms={prefix: form})
    return _saved(request, unit, year, period, _("The letter was marked as sent."))


@report_reader
@require_GET
def export(request, unit, year: int, period: str, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    versions, _period_ = _versions(unit, year, period)
    shown = _shown(request, versions)
    if shown is None:
        raise Http404
    document = build(shown)
    try:
        data = render_file(document, fmt)
    except FontMissing as error:
        messages.error(request, str(error))
        return redirect("plans:report", unit_code=unit.code, year=year, period=period)
    response = HttpResponse(data, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{document.filename}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
