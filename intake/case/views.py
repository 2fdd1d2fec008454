"""Staff pages for a unit's complaints: the queue, a case, and what staff do on it.

Only metadata is shown on a GET: decrypting is an audited reading, and a GET changes nothing,
so reading a case is a POST that renders the content once and records one reading. Every
action is a POST that calls one workflow in intake.case.services and redirects back. What
the pages are made of (finding the case, its context, the refused page) is in
intake.case.pages, which routing's actions on a case use as well.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from intake.case import services
from intake.case.forms import (
    AmendmentForm,
    ClosureForm,
    ExtensionForm,
    NoteForm,
    QueueFilterForm,
    ReplyForm,
)
from intake.case.pages import (
    CASE_ROLES,
    LABELS,
    case_for,
    case_lists,
    case_page_context,
    cases_for,
    read_page,
    refused,
)
from intake.damage import ContentDamaged
from intake.models import Complaint
from intake.panels import render_case_panels
from org.access import unit_role_required
from vault.errors import VaultError

QUEUE_PER_PAGE = 25
FILE_DAMAGED = gettext_lazy(
    "This file is damaged and cannot be downloaded: it no longer matches what was received. "
    "Nothing was sent. The head of the unit and the auditors have been told, and the audit "
    "trail records it.")


# --- the queue ---------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueRow:
    complaint: Complaint
    acknowledge_overdue: bool
    resolve_overdue: bool


@unit_role_required(*CASE_ROLES)
@require_GET
def queue(request, unit):
    today = timezone.localdate()
    form = QueueFilterForm(request.GET or None)
    found = (
        cases_for(request, unit)
        # Metadata only: the sealed columns are not even fetched.
        .only("reference", "channel", "kind", "status", "received_at", "acknowledge_due",
              "acknowledged_at", "resolve_due", "extended_at", "closed_at")
        .order_by("-received_at", "-pk")
    )
    if form.is_bound:
        found = form.filter(found, today=today) if form.is_valid() else found.none()
    page = Paginator(found, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    rows = [QueueRow(c, c.acknowledge_overdue, c.resolve_overdue) for c in page.object_list]
    return render(request, "intake/staff/case/queue.html", {
        "unit": unit, "form": form, "page": page, "rows": rows, "today": today,
        "labels": LABELS,
    })


# --- one case ----------------------------------------------------------------------------

@unit_role_required(*CASE_ROLES)
@require_GET
def case(request, unit, reference):
    complaint = case_for(request, unit, reference)
    return render(request, "intake/staff/case/case.html",
                  case_page_context(unit, complaint, **case_lists(complaint),
                                    panels=render_case_panels(request, unit, complaint)))


@unit_role_required(*CASE_ROLES)
@require_POST
def case_read(request, unit, reference):
    complaint = case_for(request, unit, reference)
    try:
        content = services.case_read(complaint=complaint, reader=request.user)
    except VaultError as error:
        messages.error(request, error.user_message)
        return redirect("intake:case", unit_code=unit.code, reference=complaint.reference)
    return read_page(request, unit, complaint, content)


# --- actions ------------------------------------------------------------------------------

def _done(request, unit, complaint, text: str):
    messages.success(request, text)
    return redirect("intake:case", unit_code=unit.code, reference=complaint.reference)


def _act(request, unit, complaint, form_name, form, workflow, success):
    if not form.is_valid():
        return refused(request, unit, complaint, form_name=form_name, form=form)
    try:
        outcome = workflow(form.cleaned_data)
    except ValidationError as error:
        return refused(request, unit, complaint, error=error)
    return _done(request, unit, complaint, success(outcome))


@unit_role_required(*CASE_ROLES)
@require_POST
def case_acknowledge(request, unit, reference):
    complaint = case_for(request, unit, reference)
    try:
        services.complaint_acknowledge(complaint=complaint, by=request.user)
    except ValidationError as error:
        return refused(request, unit, complaint, error=error)
    return _done(request, unit, complaint, _("The complaint was acknowledged to the reporter."))


@unit_role_required(*CASE_ROLES)
@require_POST
def case_reply(request, unit, reference):
    complaint = case_for(request, unit, reference)
    return _act(
        request, unit, complaint, "reply_form", ReplyForm(request.POST, prefix="reply"),
        lambda data: services.staff_reply_send(complaint=complaint, body=data["body"],
                                               by=request.user),
        lambda message: _("Your reply was sent to the reporter."),
    )


@unit_role_required(*CASE_ROLES)
@require_POST
def case_note(request, unit, reference):
    complaint = case_for(request, unit, reference)
    return _act(
        request, unit, complaint, "note_form", NoteForm(request.POST, prefix="note"),
        lambda data: services.case_note_add(complaint=complaint, body=data["body"],
                                            by=request.user),
        lambda note: _("The note was added."),
    )


@unit_role_required(*CASE_ROLES)
@require_POST
def case_amend(request, unit, reference):
    complaint = case_for(request, unit, reference)
    return _act(
        request, unit, complaint, "amend_form", AmendmentForm(request.POST, prefix="amend"),
        lambda data: services.case_amendment_add(
            complaint=complaint, field_name=data["amends_field"], body=data["body"],
            by=request.user),
        lambda note: _("The amendment was added."),
    )


@unit_role_required(*CASE_ROLES)
@require_POST
def case_extend(request, unit, reference):
    complaint = case_for(request, unit, reference)
    return _act(
        request, unit, complaint, "extend_form", ExtensionForm(request.POST, prefix="extend"),
        lambda data: services.resolve_due_extend(complaint=complaint, reason=data["reason"],
                                                 by=request.user),
        lambda extended: _("The resolution deadline was extended to %(date)s; the reporter "
                           "was given notice.")
        % {"date": formats.date_format(extended.resolve_due, "SHORT_DATE_FORMAT")},
    )


@unit_role_required(*CASE_ROLES)
@require_POST
def case_close(request, unit, reference):
    complaint = case_for(request, unit, reference)
    return _act(
        request, unit, complaint, "close_form", ClosureForm(request.POST, prefix="close"),
        lambda data: services.complaint_close(complaint=complaint, reason=data["reason"],
                                              by=request.user),
        lambda closed: _("The case was closed."),
    )


@unit_role_required(*CASE_ROLES)
@require_POST
def case_file(request, unit, reference, uid):
    complaint = case_for(request, unit, reference)
    attachment = get_object_or_404(complaint.attachments.select_related("data_key"), uid=uid)
    try:
        return services.attachment_download(attachment=attachment, complaint=complaint,
                                            reader=request.user)
    except ContentDamaged:
        # An answer of its own rather than a download that stops halfway: nothing was sent,
        # and nothing is recorded as read.
        return refused(request, unit, complaint, error=ValidationError(FILE_DAMAGED))
    except VaultError as error:
        messages.error(request, error.user_message)
        return redirect("intake:case", unit_code=unit.code, reference=complaint.reference)
