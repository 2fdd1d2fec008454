"""A unit's monthly reports: the list of its months (and drafting one), one month's report
with its actions and deliveries, and its downloads.

Everything that changes a report is a POST that calls one service, which checks the role
again; a refused role is 403, a refused rule (reporting.services raises ValidationError)
shows the page again with the reason and status 409, bad input 400, and nothing changes.

The figures shown are counts, reference numbers and codes (reporting.figures); no complaint
is read. The narrative, sealed like complaint content, is shown to the report's readers
as the exports show it; it is the clerk's own text about the month, not a reporter's.
"""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.grammar import Case, in_case
from intake.damage import content_damaged, damage_of
from org.models import Unit
from outbox.models import Outbox
from reporting import charts, services
from reporting.access import may_approve, may_write
from reporting.deliveries import report_delivery_retry, report_letter_mark_sent
from reporting.display import readable, recused_references, standings_of
from reporting.models import MonthlyReport, ReportDelivery, State
from reporting.monthly.forms import (
    ActionForm,
    CorrectForm,
    DraftForm,
    LetterSentForm,
    NarrativeForm,
    SendBackForm,
)
from reporting.pages import (
    EXPORT_FORMATS,
    exported,
    month_of_url,
    neighbours,
    recent_quarters,
    report_reader,
)
from vault.errors import DecryptionError, VaultError

MONTHS_LISTED = 24


# --- the unit's reports ------------------------------------------------------------------------

def _index_page(request, unit, *, draft_form=None, refusal=None, status=200):
    today = timezone.localdate()
    months = charts.months_ending(today, MONTHS_LISTED)[::-1]
    return render(request, "reporting/index.html", {
        "unit": unit, "today": today,
        "standings": standings_of(((unit, month) for month in months), today),
        "can_write": may_write(request.user, unit),
        "draft_form": draft_form or DraftForm(initial={"month": services.last_month(today)}),
        "refusal": refusal,
        "has_children": Unit.objects.active().filter(parent=unit).exists(),
        "last_month": f"{services.last_month(today):%Y-%m}",
        "quarters": recent_quarters(today),
        "charts": charts.charts_for([unit.pk], today),
    }, status=status)


@report_reader
@require_GET
def index(request, unit):
    return _index_page(request, unit)


@report_reader
@require_POST
def draft(request, unit):
    if not may_write(request.user, unit):
        raise PermissionDenied
    form = DraftForm(request.POST)
    if not form.is_valid():
        return _index_page(request, unit, draft_form=form, status=400)
    try:
        report, created = services.report_draft(unit=unit, period=form.cleaned_data["month"],
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
        "can_write": may_write(user, unit),
        "can_approve": may_approve(user, unit),
        "can_draft": period <= today.replace(day=1),
        "has_children": Unit.objects.active().filter(parent=unit).exists(),
        "refusal": refusal,
        "charts": charts.charts_for([unit.pk], period),
        "STATE": {state.name: state.value for state in State},
        **neighbours(period, today),
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
        "latest": latest,
        "figures": readable(report.figures, recused_references(user),
                            earlier_page=request.GET.get("earlier")),
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
    context["letter_waiting"] = [(delivery, form) for delivery, form in context["letter_rows"]
                                 if form is not None]
    context["has_actions"] = bool(context["letter_waiting"]) or any(key in context for key in (
        "narrative_form", "approve_shown", "send_back_form", "correct_form"))
    return context


@report_reader
@require_GET
def month(request, unit, month):
    return _month_page(request, unit, month_of_url(month))


def _act(request, unit, month, *, allowed, form_class, prefix, workflow, success):
    """One action on the month's latest version: the role first (403), then the form (400),
    then the version the person saw (409), then the service (409 when it refuses)."""
    period = month_of_url(month)
    if not allowed(request.user, unit):
        raise PermissionDenied
    report = services.current(unit, period)
    if report is None:
        raise Http404
    form = form_class(request.POST, prefix=prefix)
    if not form.is_valid():
        return _month_page(request, unit, period, forms={prefix: form}, status=400)
    if form.cleaned_data["version"] != report.version:
        # What was typed comes back on the current version, to send after a second look.
        again = form_class(prefix=prefix, initial={**form.cleaned_data,
                                                   "version": report.version})
        return _month_page(request, unit, period, forms={prefix: again}, status=409, refusal=[
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
        request, unit, month, allowed=may_write, form_class=NarrativeForm,
        prefix="narrative",
        workflow=lambda report, data: services.report_narrative_save(
            report=report, by=request.user, narrative=data["narrative"]),
        success=lambda report: _("The explanation was saved and the figures computed again."),
    )


@report_reader
@require_POST
def prepare(request, unit, month):
    # The page's one form sends the explanation too; a bare version prepares what is stored.
    with_text = "narrative-version" in request.POST
    return _act(
        request, unit, month, allowed=may_write,
        form_class=NarrativeForm if with_text else ActionForm,
        prefix="narrative" if with_text else "",
        workflow=lambda report, data: services.report_prepare(
            report=report, by=request.user, narrative=data.get("narrative")),
        success=lambda report: _("Report %(reference)s was marked prepared; the head reviews "
                                 "it next.") % {"reference": report.reference},
    )


@report_reader
@require_POST
def approve(request, unit, month):
    if request.POST.get("send_back-reason", "").strip() and may_approve(request.user, unit):
        # A reason to send back typed, then "Approve" pressed: neither, the reason kept.
        return _month_page(request, unit, month_of_url(month), status=409,
                           forms={"send_back": SendBackForm(request.POST, prefix="send_back")},
                           refusal=[_("You wrote a reason to send the report back. Send it "
                                      "back, or clear the reason to approve it.")])
    return _act(
        request, unit, month, allowed=may_approve, form_class=ActionForm,
        prefix="",
        workflow=lambda report, data: services.report_approve(report=report, by=request.user),
        success=lambda report: _("Report %(reference)s was approved and is being sent.")
        % {"reference": report.reference},
    )


@report_reader
@require_POST
def send_back(request, unit, month):
    return _act(
        request, unit, month, allowed=may_approve, form_class=SendBackForm,
        prefix="send_back",
        workflow=lambda report, data: services.report_send_back(
            report=report, by=request.user, reason=data["reason"]),
        success=lambda report: _("Report %(reference)s was sent back to the clerk.")
        % {"reference": report.reference},
    )


@report_reader
@require_POST
def correct(request, unit, month):
    if may_write(request.user, unit):
        kept = _typed_elsewhere(request, unit, month_of_url(month), "correct")
        if kept is not None:
            return kept
    return _act(
        request, unit, month, allowed=may_write, form_class=CorrectForm,
        prefix="correct",
        workflow=lambda report, data: services.report_correct(
            report=report, by=request.user, reason=data["reason"]),
        success=lambda report: _("Correction %(reference)s was drafted; prepare and approve "
                                 "it like any report.") % {"reference": report.reference},
    )


def _typed_elsewhere(request, unit, period: date, own: str):
    """The month page again, doing nothing, when the approved report's one form carries
    text in another box than the pressed button's (`own`): every box comes back as typed."""
    others = {key.rsplit("-", 1)[0] for key, value in request.POST.items()
              if value.strip() and key.endswith(("-letter_number", "-reason"))
              and key.startswith(("letter-", "correct-"))} - {own}
    if not others:
        return None
    forms = {prefix: (CorrectForm if prefix == "correct" else LetterSentForm)(
        request.POST, prefix=prefix) for prefix in others | {own}}
    return _month_page(request, unit, period, forms=forms, status=409, refusal=[
        _("You also typed in another box of this form. Nothing was done, so that no text "
          "is lost: send each with its own button.")])


def _delivery(unit, period: date, uid) -> ReportDelivery:
    return get_object_or_404(ReportDelivery.objects.select_related("report", "outbox__agency"),
                             uid=uid, report__unit=unit, report__period=period)


@report_reader
@require_POST
def letter_sent(request, unit, month, uid):
    period = month_of_url(month)
    if not may_write(request.user, unit):
        raise PermissionDenied
    delivery = _delivery(unit, period, uid)
    prefix = f"letter-{delivery.pk}"
    kept = _typed_elsewhere(request, unit, period, prefix)
    if kept is not None:
        return kept
    form = LetterSentForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return _month_page(request, unit, period, forms={prefix: form}, status=400)
    try:
        report_letter_mark_sent(delivery=delivery, by=request.user,
                                letter_number=form.cleaned_data["letter_number"])
    except ValidationError as error:
        return _month_page(request, unit, period, refusal=error.messages, status=409)
    messages.success(request, _("The letter to %(agency_dative)s was marked as sent.")
                     % {"agency_dative": in_case(delivery.outbox.agency.name, Case.DATIVE)})
    return redirect("reporting:month", unit_code=unit.code, month=f"{period:%Y-%m}")


@report_reader
@require_POST
def retry(request, unit, month, uid):
    period = month_of_url(month)
    if not may_approve(request.user, unit):
        raise PermissionDenied
    delivery = _delivery(unit, period, uid)
    try:
        report_delivery_retry(delivery=delivery, by=request.user)
    except ValidationError as error:
        return _month_page(request, unit, period, refusal=error.messages, status=409)
    messages.success(request, _("The report will be sent to %(agency_dative)s again.")
                     % {"agency_dative": in_case(delivery.outbox.agency.name, Case.DATIVE)})
    return redirect("reporting:month", unit_code=unit.code, month=f"{period:%Y-%m}")


# --- downloads ------------------------------------------------------------------------------

@report_reader
@require_GET
def export(request, unit, month, fmt):
    period = month_of_url(month)
    if fmt not in EXPORT_FORMATS:
        raise Http404
    versions = list(MonthlyReport.objects.filter(unit=unit, period=period)
                    .select_related("unit", "supersedes", "prepared_by", "approved_by")
                    .order_by("version"))
    report = _shown_version(request, versions)
    if report is None:
        raise Http404
    back = reverse("reporting:month", kwargs={"unit_code": unit.code, "month": month})
    return exported(request, lambda exports: exports.monthly(report, fmt), back,
                    report.figures)
