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
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.paging import CappedPaginator
from intake.case import services, worklist
from intake.case.forms import (
    MINE,
    VIEWS,
    AmendmentForm,
    ClosureForm,
    ExtensionForm,
    NoteForm,
    QueueFilterForm,
    ReplyForm,
    TitleForm,
    person_name,
)
from intake.case.pages import (
    CASE_ROLES,
    LABELS,
    case_for,
    case_lists,
    case_page_context,
    case_panels,
    cases_for,
    read_page,
    refused,
    typed_elsewhere,
    typed_forms,
    worklist_changed,
    worklist_form,
)
from intake.case.queue_rows import rows_html
from intake.channels.pages import LOGGED_HERE, logged_page
from intake.classification import Classification, classify
from intake.damage import ContentDamaged
from intake.models import Complaint
from org.access import unit_role_required
from org.models import Role
from vault.errors import VaultError

QUEUE_PER_PAGE = 25
FILE_DAMAGED = gettext_lazy(
    "This file is damaged and cannot be downloaded: it no longer matches what was received. "
    "Nothing was sent. The head of the unit and the auditors have been told, and the audit "
    "trail records it.")


# --- the queue ---------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueRow:
    complaint: Complaint  # with_overdue and with_next_due's annotations
    acknowledge_overdue: bool
    resolve_overdue: bool
    # Its current categories and corruption flag (intake.classification); None until triaged.
    classification: Classification | None = None

    @property
    def next_overdue(self) -> bool:
        return self.acknowledge_overdue if self.complaint.acknowledged_at is None \
            else self.resolve_overdue

    @property
    def assignee(self) -> str:
        officer = self.complaint.assigned_to
        return person_name(officer) if officer else ""


# The columns a row of the queue reads; the sealed ones are not even fetched.
QUEUE_COLUMNS = (
    "reference", "title", "channel", "kind", "status", "received_at", "acknowledge_due",
    "acknowledged_at", "resolve_due", "extended_at", "closed_at",
    "assigned_to__first_name", "assigned_to__last_name", "assigned_to__username",
)


def _views(request) -> list[dict]:
    """The tabs above the queue: every case, nobody's yet, and an officer's own."""
    chosen = request.GET.get("view", "")
    officer = Role.OFFICER in request.unit_roles
    return [{"value": value, "label": label, "current": value == chosen}
            for value, label in VIEWS if value != MINE or officer]


@unit_role_required(*CASE_ROLES)
@require_GET
def queue(request, unit):
    today = timezone.localdate()
    form = QueueFilterForm(request.GET or None)
    found = (cases_for(request, unit).with_next_due().select_related("assigned_to")
             .only(*QUEUE_COLUMNS).order_by("-received_at", "-pk"))
    if form.is_bound:
        found = (form.filter(found, today=today, user=request.user) if form.is_valid()
                 else found.none())
    page = CappedPaginator(found, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    complaints = list(page.object_list)
    classified = classify(complaints)
    rows = [QueueRow(c, c.acknowledge_overdue, c.resolve_overdue, classified.get(c.pk))
            for c in complaints]
    return render(request, "intake/staff/case/queue.html", {
        "unit": unit, "form": form, "page": page, "rows": rows,
        "rows_html": rows_html(rows, unit_code=unit.code, labels=LABELS),
        "labels": LABELS, "views": _views(request),
    })


# --- one case ----------------------------------------------------------------------------

@unit_role_required(*CASE_ROLES)
@require_GET
def case(request, unit, reference):
    complaint = case_for(request, unit, reference)
    return render(request, "intake/staff/case/case.html",
                  case_page_context(unit, complaint, **case_lists(complaint),
                                    **case_panels(request, unit, complaint)))


@unit_role_required(*CASE_ROLES)
@require_POST
def case_read(request, unit, reference):
    complaint = case_for(request, unit, reference)
    if worklist_changed(request, complaint):
        # The read page has no title box: a title typed and not saved would be lost.
        return typed_elsewhere(request, unit, complaint, None)
    try:
        content = services.case_read(complaint=complaint, reader=request.user)
    except VaultError as error:
        messages.error(request, error.user_message)
        return redirect("intake:case", unit_code=unit.code, reference=complaint.reference)
    # Text typed into an action's box before pressing the read button comes along.
    return read_page(request, unit, complaint, content, **typed_forms(request))


# --- actions ------------------------------------------------------------------------------

def _done(request, unit, complaint, text: str):
    messages.success(request, text)
    return redirect("intake:case", unit_code=unit.code, reference=complaint.reference)


def _act(request, unit, complaint, form_name, form, workflow, success):
    kept = typed_elsewhere(request, unit, complaint, form.prefix)
    if kept is not None:
        return kept
    if not form.is_valid():
        return refused(request, unit, complaint, form_name=form_name, form=form)
    try:
        outcome = workflow(form.cleaned_data)
    except ValidationError as error:
        return refused(request, unit, complaint, error=error)
    return _done(request, unit, complaint, success(outcome))


@unit_role_required(*worklist.TITLERS)
@require_POST
def case_worklist(request, unit, reference):
    """The case's title and, for those who assign (worklist.ASSIGNERS), its officer. The
    clerk sends the title alone, from the page of what they logged, and comes back there."""
    complaint = case_for(request, unit, reference)
    handler = bool(request.unit_roles & set(CASE_ROLES))
    if not handler and complaint.channel not in LOGGED_HERE:
        raise Http404  # a clerk titles what the "logged" page shows them, nothing else
    if handler and (kept := typed_elsewhere(request, unit, complaint, "worklist")):
        return kept
    form = (worklist_form(complaint, request.POST) if handler
            else TitleForm(request.POST, prefix="worklist"))
    if not form.is_valid():
        if handler:
            return refused(request, unit, complaint, form_name="worklist_form", form=form)
        return logged_page(request, unit, complaint, title_form=form, status=400)
    data = form.cleaned_data
    try:
        complaint = worklist.case_worklist_set(
            complaint=complaint, by=request.user, title=data["title"],
            officer=data.get("officer", worklist.KEEP))
    except ValidationError as error:
        if handler:
            return refused(request, unit, complaint, error=error)
        form.add_error(None, error)
        return logged_page(request, unit, complaint, title_form=form, status=409)
    messages.success(request, _("Saved."))
    if handler:
        return redirect("intake:case", unit_code=unit.code, reference=complaint.reference)
    return redirect("intake:logged", unit_code=unit.code, complaint_id=complaint.pk)


@unit_role_required(*CASE_ROLES)
@require_POST
def case_acknowledge(request, unit, reference):
    complaint = case_for(request, unit, reference)
    kept = typed_elsewhere(request, unit, complaint, None)
    if kept is not None:
        return kept
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
