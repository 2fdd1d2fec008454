"""Staff pages for a unit's complaints: the queue, a case, and what staff do on it.

Only metadata is shown on a GET: decrypting is an audited reading, and a GET changes nothing,
so reading a case is a POST that renders the content once and records one reading. Every
action is a POST that calls one workflow in intake.services_case and redirects back.
"""

from dataclasses import dataclass
from datetime import date

import phonenumbers
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from intake import services_case
from intake.damage import FILE, ContentDamaged
from intake.forms_case import (
    AmendmentForm,
    ClosureForm,
    ExtensionForm,
    NoteForm,
    QueueFilterForm,
    ReplyForm,
    field_label,
)
from intake.models import Attachment, Complaint, Message, Note, Status
from intake.panels import render_case_panels
from intake.phones import display_phone
from org.access import unit_role_required
from org.models import Role
from vault.errors import VaultError

QUEUE_PER_PAGE = 25
FILE_DAMAGED = gettext_lazy(
    "This file is damaged and cannot be downloaded: it no longer matches what was received. "
    "Nothing was sent. The head of the unit and the auditors have been told, and the audit "
    "trail records it.")
# Clerks log what comes in and auditors check the trail; handling a case is for these.
CASE_ROLES = (Role.OFFICER, Role.HEAD)

# What the known keys of the sealed dictionaries are called on the page; a key not listed
# here is shown as it is stored.
REPORTER_LABELS = {
    "name": gettext_lazy("Name"),
    "phone": gettext_lazy("Phone"),
    "email": gettext_lazy("Email"),
    "address": gettext_lazy("Address"),
}
PARTICULAR_LABELS = {"where": gettext_lazy("Where?"), "when": gettext_lazy("When?")}
# Column and fact names: the models' own field names, already translated.
LABELS = {
    **{name: field_label(name) for name in (
        "reference", "channel", "kind", "status", "received_at", "logged_at",
        "acknowledge_due", "resolve_due", "closed_at", "call_duration_seconds",
        "summary_confirmed",
    )},
    "filename": capfirst(Attachment._meta.get_field("filename").verbose_name),
}


# --- the queue ---------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueRow:
    complaint: Complaint
    acknowledge_overdue: bool
    resolve_overdue: bool


def _overdue(complaint: Complaint, today: date) -> tuple[bool, bool]:
    """The two clocks of one complaint, by the rule of ComplaintQuerySet.overdue."""
    if complaint.status == Status.CLOSED:
        return False, False
    return (complaint.acknowledged_at is None and complaint.acknowledge_due < today,
            complaint.resolve_due < today)


@unit_role_required(*CASE_ROLES)
@require_GET
def queue(request, unit):
    today = timezone.localdate()
    form = QueueFilterForm(request.GET or None)
    found = (
        _cases_of(request, unit)
        # Metadata only: the sealed columns are not even fetched.
        .only("reference", "channel", "kind", "status", "received_at", "acknowledge_due",
              "acknowledged_at", "resolve_due", "extended_at", "closed_at")
        .order_by("-received_at", "-pk")
    )
    if form.is_bound:
        found = form.filter(found, today=today) if form.is_valid() else found.none()
    page = Paginator(found, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    rows = [QueueRow(c, *_overdue(c, today)) for c in page.object_list]
    return render(request, "intake/staff/case/queue.html", {
        "unit": unit, "form": form, "page": page, "rows": rows, "today": today,
        "labels": LABELS,
    })


# --- one case ----------------------------------------------------------------------------

def _cases_of(request, unit):
    """The cases `request.user` may see under `unit` in the URL: the unit's own, and for a
    head of the unit also those escalated to it because they name a child unit's head;
    never one the user is recused from."""
    found = Q(unit=unit)
    if Role.HEAD in request.unit_roles:
        found |= Q(escalated_to=unit)
    return Complaint.objects.filter(found).visible_to(request.user)


def _case(request, unit, reference: str) -> Complaint:
    """The case by its reference among `_cases_of` the unit in the URL; any other case, and
    a case the user is recused from, is 404, so neither is confirmed to exist."""
    return get_object_or_404(
        _cases_of(request, unit).select_related("unit", "data_key", "logged_by"),
        reference=reference,
    )


def _blank_forms() -> dict:
    """The action forms, empty; a refused action passes its bound form in their place."""
    return {
        "reply_form": ReplyForm(prefix="reply"),
        "note_form": NoteForm(prefix="note"),
        "amend_form": AmendmentForm(prefix="amend"),
        "extend_form": ExtensionForm(prefix="extend"),
        "close_form": ClosureForm(prefix="close"),
    }


def _case_context(unit, complaint: Complaint, **extra) -> dict:
    today = timezone.localdate()
    acknowledge_overdue, resolve_overdue = _overdue(complaint, today)
    closed = complaint.status == Status.CLOSED
    return {
        "unit": unit,
        "complaint": complaint,
        "shredded": complaint.data_key.is_shredded,
        "acknowledge_overdue": acknowledge_overdue,
        "resolve_overdue": resolve_overdue,
        "closed": closed,
        "can_acknowledge": not closed and complaint.acknowledged_at is None,
        "can_extend": not closed and not complaint.is_extended,
        "labels": LABELS,
        **_blank_forms(),
        **extra,
    }


def _case_lists(complaint: Complaint) -> dict:
    """The thread, notes and files of a case as dates and counts, without their content."""
    return {
        "thread": complaint.messages.defer("body").select_related("sent_by"),
        "notes": complaint.notes.defer("body").select_related("written_by"),
        "files": complaint.attachments.defer("filename").order_by("created_at", "pk"),
    }


@unit_role_required(*CASE_ROLES)
@require_GET
def case(request, unit, reference):
    complaint = _case(request, unit, reference)
    return render(request, "intake/staff/case/case.html",
                  _case_context(unit, complaint, **_case_lists(complaint),
                                panels=render_case_panels(request, unit, complaint)))


def _shown(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ", ".join(_shown(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_shown(item)}" for key, item in value.items())
    return "" if value is None else str(value)


def _phone(value) -> str:
    try:
        return display_phone(value)
    except (phonenumbers.NumberParseException, TypeError):
        return _shown(value)


def _entries(values: dict | None, labels: dict) -> list[tuple[str, str]]:
    if not values:
        return []
    if not isinstance(values, dict):
        return [("", _shown(values))]
    return [(labels.get(key, key), _phone(item) if key == "phone" else _shown(item))
            for key, item in values.items()]


def _damage_lines(damaged, field_labels: dict) -> list[dict]:
    """Each damaged record and field, said for the staff, with the ids the audit trail
    names (intake.damage)."""
    def when(record) -> str:
        return formats.date_format(timezone.localtime(record.created_at),
                                   "SHORT_DATETIME_FORMAT")

    lines = []
    for damage in damaged:
        record = damage.target
        if isinstance(record, Complaint):
            label = field_labels.get(damage.field, damage.field)
        elif isinstance(record, Message):
            label = _("A message of %(at)s") % {"at": when(record)}
        elif isinstance(record, Note):
            label = _("A note of %(at)s") % {"at": when(record)}
        elif isinstance(record, Attachment):
            label = (_("The file attached on %(at)s") if damage.field == FILE
                     else _("The name of the file attached on %(at)s")) % {"at": when(record)}
        else:  # the data key: nothing sealed under it opens
            label = _("The case's key: none of its sealed content can be read")
        lines.append({"label": label, "record": f"{damage.object_type} {damage.object_id}",
                      "field": damage.field})
    return lines


def _read_context(content: services_case.CaseContent) -> dict:
    field_labels = dict(AmendmentForm.base_fields["amends_field"].choices)
    amendments: dict[str, list] = {}
    notes = []
    for note in content.notes:
        if note.kind == Note.Kind.AMENDMENT:
            amendments.setdefault(note.amends_field, []).append(note)
        else:
            notes.append(note)
    sections = [
        ("body", field_labels["body"], [("", content.body)] if content.body is not None else []),
        ("subject", field_labels["subject"],
         [("", content.subject)] if content.subject else []),
        ("particulars", field_labels["particulars"],
         _entries(content.particulars, PARTICULAR_LABELS)),
        ("reporter", field_labels["reporter"], _entries(content.reporter, REPORTER_LABELS)),
        ("channel_details", field_labels["channel_details"],
         _entries(content.channel_details, {})),
    ]
    return {
        "sections": [
            {"name": name, "label": label, "entries": entries,
             "amendments": amendments.get(name, []),
             "damaged": name in content.damaged_parts}
            for name, label, entries in sections
        ],
        "thread": [{"staff": entry.author == Message.Author.STAFF, "entry": entry}
                   for entry in content.thread],
        "notes": notes,
        "files": content.files,
        "fields_read": content.fields_read,
        "damaged": _damage_lines(content.damaged, field_labels),
    }


@unit_role_required(*CASE_ROLES)
@require_POST
def case_read(request, unit, reference):
    complaint = _case(request, unit, reference)
    try:
        content = services_case.case_read(complaint=complaint, reader=request.user)
    except VaultError as error:
        messages.error(request, error.user_message)
        return redirect("intake:case", unit_code=unit.code, reference=complaint.reference)
    return render(request, "intake/staff/case/read.html",
                  _case_context(unit, complaint, **_read_context(content),
                                panels=render_case_panels(request, unit, complaint, content)))


# --- actions ------------------------------------------------------------------------------

def _done(request, unit, complaint, text: str):
    messages.success(request, text)
    return redirect("intake:case", unit_code=unit.code, reference=complaint.reference)


def _refused(request, unit, complaint, *, form_name=None, form=None, error=None,
             panel_extra=None):
    """The case page again, with what was wrong; nothing was saved. `panel_extra` reaches
    the panels other apps add (intake.panels), so their refused forms show their errors."""
    extra = {form_name: form} if form_name else {}
    if error is not None:
        extra["refusal"] = error.messages
    # A form that did not validate is bad input (400); a rule that refused is a conflict.
    status = 409 if error is not None or not (panel_extra or (form and form.errors)) else 400
    return render(request, "intake/staff/case/case.html",
                  _case_context(unit, complaint, **_case_lists(complaint), **extra,
                                panels=render_case_panels(request, unit, complaint,
                                                          **(panel_extra or {}))),
                  status=status)


def _act(request, unit, complaint, form_name, form, workflow, success):
    if not form.is_valid():
        return _refused(request, unit, complaint, form_name=form_name, form=form)
    try:
        outcome = workflow(form.cleaned_data)
    except ValidationError as error:
        return _refused(request, unit, complaint, error=error)
    return _done(request, unit, complaint, success(outcome))


@unit_role_required(*CASE_ROLES)
@require_POST
def case_acknowledge(request, unit, reference):
    complaint = _case(request, unit, reference)
    try:
        services_case.complaint_acknowledge(complaint=complaint, by=request.user)
    except ValidationError as error:
        return _refused(request, unit, complaint, error=error)
    return _done(request, unit, complaint, _("The complaint was acknowledged to the reporter."))


@unit_role_required(*CASE_ROLES)
@require_POST
def case_reply(request, unit, reference):
    complaint = _case(request, unit, reference)
    return _act(
        request, unit, complaint, "reply_form", ReplyForm(request.POST, prefix="reply"),
        lambda data: services_case.staff_reply_send(complaint=complaint, body=data["body"],
                                                    by=request.user),
        lambda message: _("Your reply was sent to the reporter."),
    )


@unit_role_required(*CASE_ROLES)
@require_POST
def case_note(request, unit, reference):
    complaint = _case(request, unit, reference)
    return _act(
        request, unit, complaint, "note_form", NoteForm(request.POST, prefix="note"),
        lambda data: services_case.case_note_add(complaint=complaint, body=data["body"],
                                                 by=request.user),
        lambda note: _("The note was added."),
    )


@unit_role_required(*CASE_ROLES)
@require_POST
def case_amend(request, unit, reference):
    complaint = _case(request, unit, reference)
    return _act(
        request, unit, complaint, "amend_form", AmendmentForm(request.POST, prefix="amend"),
        lambda data: services_case.case_amendment_add(
            complaint=complaint, field_name=data["amends_field"], body=data["body"],
            by=request.user),
        lambda note: _("The amendment was added."),
    )


@unit_role_required(*CASE_ROLES)
@require_POST
def case_extend(request, unit, reference):
    complaint = _case(request, unit, reference)
    return _act(
        request, unit, complaint, "extend_form", ExtensionForm(request.POST, prefix="extend"),
        lambda data: services_case.resolve_due_extend(complaint=complaint,
                                                      reason=data["reason"], by=request.user),
        lambda extended: _("The resolution deadline was extended to %(date)s; the reporter "
                           "was given notice.")
        % {"date": formats.date_format(extended.resolve_due, "SHORT_DATE_FORMAT")},
    )


@unit_role_required(*CASE_ROLES)
@require_POST
def case_close(request, unit, reference):
    complaint = _case(request, unit, reference)
    return _act(
        request, unit, complaint, "close_form", ClosureForm(request.POST, prefix="close"),
        lambda data: services_case.complaint_close(complaint=complaint, reason=data["reason"],
                                                   by=request.user),
        lambda closed: _("The case was closed."),
    )


@unit_role_required(*CASE_ROLES)
@require_POST
def case_file(request, unit, reference, uid):
    complaint = _case(request, unit, reference)
    attachment = get_object_or_404(complaint.attachments.select_related("data_key"), uid=uid)
    try:
        return services_case.attachment_download(attachment=attachment, complaint=complaint,
                                                 reader=request.user)
    except ContentDamaged:
        # An answer of its own rather than a download that stops halfway: nothing was sent,
        # and nothing is recorded as read.
        return _refused(request, unit, complaint, error=ValidationError(FILE_DAMAGED))
    except VaultError as error:
        messages.error(request, error.user_message)
        return redirect("intake:case", unit_code=unit.code, reference=complaint.reference)
