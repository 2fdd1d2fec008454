"""The monthly reports' pages: a unit's months, one month's report with its actions, the
consolidation of the units below, quarterly statistics, and the downloads of each.

Who may read is reporting.services.may_read: the unit's own staff, and the clerks, heads and
auditors of the units above it (so the national head reads every department's reports).
Everything that changes a report is a POST that calls one service, which checks the role
again; a refused role is 403, a refused rule (reporting.services raises ValidationError)
shows the page again with the reason and status 409, bad input 400, and nothing changes.

The figures shown are counts, reference numbers and codes (reporting.figures); no complaint
is read. The narrative, sealed like complaint content, is shown to the report's readers
as the exports show it; it is the clerk's own text about the month, not a reporter's.
"""

from datetime import date, timedelta
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.grammar import Case, in_case
from intake.damage import content_damaged, damage_of
from org.access import roles_in_unit, staff_required
from org.models import Membership, Unit
from reporting import charts, services
from reporting.display import STANDINGS, names_any, readable, recused_references, standings_of
from reporting.figures import (
    month_period,
    parse_quarter,
    per_unit,
    period_figures,
    quarter_period,
)
from reporting.forms import (
    ActionForm,
    CorrectForm,
    DraftForm,
    LetterSentForm,
    NarrativeForm,
    SendBackForm,
    month_or_none,
)
from reporting.models import MonthlyReport, ReportDelivery, State
from routing.models import Outbox
from vault.errors import DecryptionError, VaultError

MONTHS_LISTED = 24
QUARTERS_LISTED = 4
EXPORT_FORMATS = ("docx", "pdf", "xlsx", "csv")  # reporting.exports.FORMATS


# --- access ---------------------------------------------------------------------------------

def report_reader(view):
    """For views whose URL names a unit by `unit_code`: signed in with the second factor
    (org.access), and allowed to read the unit's reports. Passes the Unit to the view. As
    with org.access.unit_role_required, someone with no say in the unit gets 404 (the
    unit's pages do not confirm what exists), and a member of the unit whose role does not
    read reports gets 403."""

    @staff_required
    @wraps(view)
    def wrapped(request, unit_code: str, *args, **kwargs):
        unit = Unit.objects.active().filter(code=unit_code).first()
        held = roles_in_unit(request.user, unit) if unit else set()
        if unit is None or not services.may_read(request.user, unit):
            if held:
                raise PermissionDenied
            raise Http404
        request.unit_roles = held
        return view(request, unit, *args, **kwargs)

    return wrapped


def _oversees(user, unit: Unit) -> bool:
    """Whether `user` reads every unit below `unit` (a clerk, head or auditor of it or of a
    unit above it), so the consolidation may link into each."""
    units = [unit.pk, *(above.pk for above in unit.ancestors())]
    return Membership.objects.active().filter(
        user=user, unit_id__in=units, role__in=services.OVERSEERS).exists()


# --- periods --------------------------------------------------------------------------------

def _month(text: str) -> date:
    """The month of the URL (`YYYY-MM`), or 404."""
    period = month_or_none(text)
    if period is None or not 1 < period.year < 9999:
        raise Http404
    return period


def _neighbours(period: date, today: date) -> dict:
    """The months before and after `period` (`YYYY-MM`), the latter only when it has begun."""
    following = month_period(period).last + timedelta(days=1)
    return {"previous": f"{month_period(period - timedelta(days=1)).first:%Y-%m}",
            "following": f"{following:%Y-%m}" if following <= today else None}


def _quarter(text: str):
    try:
        year, quarter = parse_quarter(text)
    except ValueError:
        raise Http404 from None
    if not 1 < year < 9999:
        raise Http404
    return quarter_period(year, quarter)


def _recent_quarters(today: date, count: int = QUARTERS_LISTED) -> list[str]:
    year, quarter = today.year, (today.month + 2) // 3
    labels = []
    for _step in range(count):
        labels.append(f"{year}-Q{quarter}")
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return labels


# --- the unit's reports ------------------------------------------------------------------------

def _index_page(request, unit, *, draft_form=None, refusal=None, status=200):
    today = timezone.localdate()
    months = charts.months_ending(today, MONTHS_LISTED)[::-1]
    return render(request, "reporting/index.html", {
        "unit": unit, "today": today,
        "standings": standings_of(((unit, month) for month in months), today),
        "can_write": services.may_write(request.user, unit),
        "draft_form": draft_form or DraftForm(initial={
            "month": f"{services.last_month(today):%Y-%m}"}),
        "refusal": refusal,
        "has_children": Unit.objects.active().filter(parent=unit).exists(),
        "last_month": f"{services.last_month(today):%Y-%m}",
        "quarters": _recent_quarters(today),
        "charts": charts.charts_for([unit.pk], today),
    }, status=status)


@report_reader
@require_GET
def index(request, unit):
    return _index_page(request, unit)


@report_reader
@require_POST
def draft(request, unit):
    if not services.may_write(request.user, unit):
        raise PermissionDenied
    form = DraftForm(request.POST)
    if not form.is_valid():
        return _index_page(request, unit, draft_form=form, status=400)
    try:
        report, created = services.draft(unit=unit, period=form.cleaned_data["month"],
                                         by=request.user)
    except ValidationError as error:
        return _index_page(request, unit, draft_form=form, refusal=error.messages,
                           status=409)
    if created:
        messages.success(request, _("Report %(reference)s was drafted.")
                         % {"reference": report.reference})
    else:
        messages.info(request, _("Report %(reference)s already exists.")
                      % {"reference": report.reference})
    return redirect("reporting:month", unit_code=unit.code, month=report.month)


# --- one month --------------------------------------------------------------------------------

def _shown_version(request, versions: list[MonthlyReport]) -> MonthlyReport | None:
    """The version `?version=N` asks for (404 if there is none such), else the latest."""
    asked = request.GET.get("version")
    if asked is None:
        return versions[-1] if versions else None
    for report in versions:
        if asked.isdigit() and report.version == int(asked):
            return report
    raise Http404


def _approve_refusal(report: MonthlyReport, user) -> str | None:
    """Why the head cannot approve now, or None when they can."""
    if report.state == State.DRAFT:
        return _("The clerk must mark the report prepared first.")
    if report.prepared_by_id == user.pk:
        return _("You marked this report prepared; another head must approve it.")
    return None


def _downloads(unit, period: date, report: MonthlyReport, latest: bool) -> list[dict]:
    query = "" if latest else f"?version={report.version}"
    return [{"format": fmt.upper(), "url": reverse("reporting:export", kwargs={
        "unit_code": unit.code, "month": f"{period:%Y-%m}", "fmt": fmt}) + query}
        for fmt in EXPORT_FORMATS]


def _month_page(request, unit, period: date, *, forms=None, refusal=None, status=200):
    user, forms, today = request.user, forms or {}, timezone.localdate()
    versions = list(MonthlyReport.objects.filter(unit=unit, period=period)
                    .select_related("supersedes", "prepared_by", "approved_by", "drafted_by")
                    .order_by("version"))
    report = _shown_version(request, versions)
    context = {
        "unit": unit, "period": period, "month": f"{period:%Y-%m}", "report": report,
        "versions": versions[::-1], "today": today,
        "due": services.due_day(unit, period),
        "can_write": services.may_write(user, unit),
        "can_approve": services.may_approve(user, unit),
        "can_draft": period <= today.replace(day=1),
        "has_children": Unit.objects.active().filter(parent=unit).exists(),
        "refusal": refusal,
        "charts": charts.charts_for([unit.pk], period),
        "STATE": {state.name: state.value for state in State},
        **_neighbours(period, today),
    }
    if report is None:
        return render(request, "reporting/month.html", context, status=status)
    latest = report.pk == versions[-1].pk
    context.update(_report_context(request, unit, period, report, latest, forms,
                                   can_write=context["can_write"],
                                   can_approve=context["can_approve"]))
    context["late"] = not any(v.state == State.APPROVED for v in versions) and (
        today > context["due"])
    return render(request, "reporting/month.html", context, status=status)


def _report_context(request, unit, period, report, latest, forms, *, can_write,
                    can_approve) -> dict:
    """The shown version's part of the month page: its explanation, deliveries and
    downloads, and the forms of what the person may do to it now."""
    user = request.user
    try:
        narrative = report.narrative.reveal() if report.narrative is not None else ""
        narrative_error = None
    except VaultError as error:
        narrative, narrative_error = "", error.user_message
    deliveries = list(report.deliveries.select_related("outbox__agency").order_by("pk"))
    letter_forms = {
        delivery.pk: forms.get(f"letter-{delivery.pk}")
        or LetterSentForm(prefix=f"letter-{delivery.pk}")
        for delivery in deliveries if can_write and delivery.outbox.state == Outbox.State.MANUAL
    }
    version = {"version": report.version}
    acting = latest and not report.is_frozen  # actions are on the latest version only
    context = {
        "latest": latest, "figures": readable(report.figures, recused_references(user)),
        "narrative": narrative,
        "narrative_error": narrative_error,
        "letter_rows": [(delivery, letter_forms.get(delivery.pk)) for delivery in deliveries],
        "deliveries": deliveries, "downloads": _downloads(unit, period, report, latest),
        "action_form": ActionForm(initial=version),
        "MANUAL": Outbox.State.MANUAL, "DEAD": Outbox.State.DEAD,
    }
    if acting and can_write and report.state == State.DRAFT:
        context["narrative_form"] = forms.get("narrative") or NarrativeForm(
            prefix="narrative", initial={**version, "narrative": narrative})
    if acting and can_approve:
        context["approve_shown"] = True
        context["approve_refusal"] = _approve_refusal(report, user)
        if report.state == State.PREPARED:
            context["send_back_form"] = forms.get("send_back") or SendBackForm(
                prefix="send_back", initial=version)
    if latest and report.is_frozen and can_write:
        context["correct_form"] = forms.get("correct") or CorrectForm(
            prefix="correct", initial=version)
    context["has_actions"] = any(key in context for key in (
        "narrative_form", "approve_shown", "send_back_form", "correct_form"))
    return context


@report_reader
@require_GET
def month(request, unit, month):
    return _month_page(request, unit, _month(month))


def _act(request, unit, month, *, allowed, form_class, prefix, workflow, success):
    """One action on the month's latest version: the role first (403), then the form (400),
    then the version the person saw (409), then the service (409 when it refuses)."""
    period = _month(month)
    if not allowed(request.user, unit):
        raise PermissionDenied
    report = services.current(unit, period)
    if report is None:
        raise Http404
    form = form_class(request.POST, prefix=prefix)
    if not form.is_valid():
        return _month_page(request, unit, period, forms={prefix: form}, status=400)
    if form.cleaned_data["version"] != report.version:
        return _month_page(request, unit, period, status=409, refusal=[
            _("The report has changed since you opened it; look at it again.")])
    try:
        outcome = workflow(report, form.cleaned_data)
    except ValidationError as error:
        return _month_page(request, unit, period, forms={prefix: form},
                           refusal=error.messages, status=409)
    except DecryptionError:
        # The explanation was altered: nothing changed; it is recorded once (intake.damage)
        # and the page says so instead of answering 500.
        content_damaged(actor=request.user, found=[damage_of(report, "narrative")], unit=unit,
                        subject={"report": report.pk, "month": f"{period:%Y-%m}"})
        return _month_page(request, unit, period, forms={prefix: form}, status=409,
                           refusal=[str(DecryptionError.message)])
    messages.success(request, success(outcome))
    return redirect("reporting:month", unit_code=unit.code, month=f"{period:%Y-%m}")


@report_reader
@require_POST
def narrative(request, unit, month):
    return _act(
        request, unit, month, allowed=services.may_write, form_class=NarrativeForm,
        prefix="narrative",
        workflow=lambda report, data: services.save_narrative(
            report=report, by=request.user, narrative=data["narrative"]),
        success=lambda report: _("The explanation was saved and the figures computed again."),
    )


@report_reader
@require_POST
def prepare(request, unit, month):
    return _act(
        request, unit, month, allowed=services.may_write, form_class=ActionForm, prefix="",
        workflow=lambda report, data: services.prepare(report=report, by=request.user),
        success=lambda report: _("Report %(reference)s was marked prepared; the head reviews "
                                 "it next.") % {"reference": report.reference},
    )


@report_reader
@require_POST
def approve(request, unit, month):
    return _act(
        request, unit, month, allowed=services.may_approve, form_class=ActionForm,
        prefix="",
        workflow=lambda report, data: services.approve(report=report, by=request.user),
        success=lambda report: _("Report %(reference)s was approved and is being sent.")
        % {"reference": report.reference},
    )


@report_reader
@require_POST
def send_back(request, unit, month):
    return _act(
        request, unit, month, allowed=services.may_approve, form_class=SendBackForm,
        prefix="send_back",
        workflow=lambda report, data: services.send_back(
            report=report, by=request.user, reason=data["reason"]),
        success=lambda report: _("Report %(reference)s was sent back to the clerk.")
        % {"reference": report.reference},
    )


@report_reader
@require_POST
def correct(request, unit, month):
    return _act(
        request, unit, month, allowed=services.may_write, form_class=CorrectForm,
        prefix="correct",
        workflow=lambda report, data: services.correct(
            report=report, by=request.user, reason=data["reason"]),
        success=lambda report: _("Correction %(reference)s was drafted; prepare and approve "
                                 "it like any report.") % {"reference": report.reference},
    )


def _delivery(unit, period: date, uid) -> ReportDelivery:
    return get_object_or_404(ReportDelivery.objects.select_related("report", "outbox__agency"),
                             uid=uid, report__unit=unit, report__period=period)


@report_reader
@require_POST
def letter_sent(request, unit, month, uid):
    period = _month(month)
    if not services.may_write(request.user, unit):
        raise PermissionDenied
    delivery = _delivery(unit, period, uid)
    prefix = f"letter-{delivery.pk}"
    form = LetterSentForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return _month_page(request, unit, period, forms={prefix: form}, status=400)
    try:
        services.letter_sent(delivery=delivery, by=request.user,
                             letter_number=form.cleaned_data["letter_number"])
    except ValidationError as error:
        return _month_page(request, unit, period, refusal=error.messages, status=409)
    messages.success(request, _("The letter to %(agency_dative)s was marked as sent.")
                     % {"agency_dative": in_case(delivery.outbox.agency.name, Case.DATIVE)})
    return redirect("reporting:month", unit_code=unit.code, month=f"{period:%Y-%m}")


@report_reader
@require_POST
def retry(request, unit, month, uid):
    period = _month(month)
    if not services.may_approve(request.user, unit):
        raise PermissionDenied
    delivery = _delivery(unit, period, uid)
    try:
        services.retry(delivery=delivery, by=request.user)
    except ValidationError as error:
        return _month_page(request, unit, period, refusal=error.messages, status=409)
    messages.success(request, _("The report will be sent to %(agency_dative)s again.")
                     % {"agency_dative": in_case(delivery.outbox.agency.name, Case.DATIVE)})
    return redirect("reporting:month", unit_code=unit.code, month=f"{period:%Y-%m}")


# --- downloads ------------------------------------------------------------------------------

def _download(made) -> HttpResponse:
    response = HttpResponse(made.data, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _exported(request, make, back: str, figures: dict) -> HttpResponse:
    from reporting import exports

    if names_any(figures, recused_references(request.user)):
        # A file is the whole document, and a signed one cannot be redacted: the pages
        # hide those rows, the file is for someone else to download.
        messages.error(request, _("This report lists a case you are recused from, so you "
                                  "cannot download it. Another member of staff can."))
        return redirect(back)
    try:
        return _download(make(exports))
    except exports.FontMissing as error:
        messages.error(request, str(error))
        return redirect(back)


@report_reader
@require_GET
def export(request, unit, month, fmt):
    period = _month(month)
    if fmt not in EXPORT_FORMATS:
        raise Http404
    versions = list(MonthlyReport.objects.filter(unit=unit, period=period)
                    .select_related("unit", "supersedes", "prepared_by", "approved_by")
                    .order_by("version"))
    report = _shown_version(request, versions)
    if report is None:
        raise Http404
    back = reverse("reporting:month", kwargs={"unit_code": unit.code, "month": month})
    return _exported(request, lambda exports: exports.monthly(report, fmt), back,
                     report.figures)


# --- the units below ---------------------------------------------------------------------------

@report_reader
@require_GET
def consolidated(request, unit, month):
    period, today = _month(month), timezone.localdate()
    ids = unit.descendant_ids()
    # Rows for the units still active; the totals count every unit, closed ones too.
    units = sorted(Unit.objects.active().filter(pk__in=ids),
                   key=lambda each: (each.pk != unit.pk, each.code))
    standings = standings_of(((each, period) for each in units), today)
    counts = per_unit(ids, month_period(period))
    oversees = _oversees(request.user, unit)
    rows = [{"standing": standing, **counts[standing.unit.pk],
             "link": oversees or services.may_read(request.user, standing.unit)}
            for standing in standings]
    summary = {key: sum(1 for s in standings if s.status == key) for key in STANDINGS}
    return render(request, "reporting/consolidated.html", {
        "unit": unit, "period": period, "month": month, "rows": rows, "summary": [
            (STANDINGS[key], summary[key]) for key in STANDINGS],
        "late_count": sum(1 for s in standings if s.late),
        "nil_count": sum(1 for s in standings if s.filed is not None and s.nil),
        "figures": readable(period_figures(ids, month_period(period), with_checkpoint=False),
                            recused_references(request.user)),
        "charts": charts.charts_for(ids, period, prefix="all"),
        **_neighbours(period, today),
    })


# --- quarterly statistics ----------------------------------------------------------------------

@report_reader
@require_GET
def quarter(request, unit, quarter):
    period = _quarter(quarter)
    ids = unit.descendant_ids()
    return render(request, "reporting/quarter.html", {
        "unit": unit, "period": period, "quarter": period.label,
        "with_units": len(ids) > 1,
        "figures": readable(period_figures(ids, period, with_checkpoint=False),
                            recused_references(request.user)),
        "downloads": [{"format": fmt.upper(), "url": reverse("reporting:quarter_export", kwargs={
            "unit_code": unit.code, "quarter": period.label, "fmt": fmt})}
            for fmt in EXPORT_FORMATS],
        "quarters": _recent_quarters(timezone.localdate()),
    })


@report_reader
@require_GET
def quarter_export(request, unit, quarter, fmt):
    period = _quarter(quarter)
    if fmt not in EXPORT_FORMATS:
        raise Http404
    figures = period_figures(unit.descendant_ids(), period, with_checkpoint=False)
    back = reverse("reporting:quarter", kwargs={"unit_code": unit.code,
                                                "quarter": period.label})
    return _exported(request, lambda exports: exports.statistics(unit, period, figures, fmt),
                     back, figures)
