"""What the pages of one case are made of, for intake's case views and for the apps that act
on a case from its page (routing's triage and referrals, through intake.panels).

These are the public pieces of the case room: finding the case a URL names for the person
asking (`case_for`), the context of the case page (`case_page_context`), the decrypted
content as the read page shows it (`read_context`, `read_page`) and the case page again
with what was refused (`refused`). An app above intake builds its own actions from these
rather than from intake's views.
"""

import phonenumbers
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intake.case.forms import (
    CASE_FORM,
    AmendmentForm,
    ClosureForm,
    ExtensionForm,
    NoteForm,
    ReplyForm,
    TitleForm,
    WorklistForm,
    field_label,
)
from intake.case.services import CaseContent, case_read
from intake.case.worklist import officers_for
from intake.damage import FILE
from intake.models import Attachment, Complaint, Message, Note, Status
from intake.panels import render_case_panels, typed_text_of_others
from intake.phones import display_phone
from org.models import Role
from vault.errors import VaultError

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
        "summary_confirmed", "title", "assigned_to",
    )},
    "filename": capfirst(Attachment._meta.get_field("filename").verbose_name),
}


def cases_for(request, unit):
    """The cases the signed-in person may see under `unit` in the URL, each with its two
    clocks' `acknowledge_overdue` and `resolve_overdue` (Complaint.objects.for_staff and
    with_overdue hold the rules)."""
    return (Complaint.objects.for_staff(request.user, unit=unit, roles=request.unit_roles)
            .with_overdue(timezone.localdate()))


def case_for(request, unit, reference: str) -> Complaint:
    """The case by its reference among `cases_for` the unit in the URL; any other case, and
    a case the user is recused from, is 404, so neither is confirmed to exist."""
    return get_object_or_404(
        cases_for(request, unit).select_related("unit", "data_key", "logged_by",
                                                "assigned_to"),
        reference=reference,
    )


# The case's actions are one form on the page (its element is in
# templates/intake/staff/case/_tasks.html; each action's panel holds its boxes and its button,
# which sends the form to its own view): prefix → (context name, form, its legend).
ACTIONS = {
    "reply": ("reply_form", ReplyForm, gettext_lazy("Reply to the reporter")),
    "note": ("note_form", NoteForm, gettext_lazy("Internal note")),
    "amend": ("amend_form", AmendmentForm, gettext_lazy("Amendment")),
    "extend": ("extend_form", ExtensionForm, gettext_lazy("Extend the resolution deadline")),
    "close": ("close_form", ClosureForm, gettext_lazy("Close the case")),
}


def _typed(request) -> list[str]:
    """The actions whose boxes hold typed text in this request."""
    return [prefix for prefix in ACTIONS if any(
        request.POST.get(f"{prefix}-{name}", "").strip() for name in ("body", "reason"))]


def _bound(request, prefixes) -> dict:
    return {ACTIONS[prefix][0]: ACTIONS[prefix][1](request.POST, prefix=prefix)
            for prefix in prefixes}


def typed_forms(request) -> dict:
    """The action forms that hold typed text, bound, to show again as they were typed (the
    read button is a button of the same form)."""
    return _bound(request, _typed(request))


def typed_elsewhere(request, unit, complaint, own: str | None):
    """The case page again, doing nothing, when text was typed in another action's box
    than the button pressed (`own`, the pressed action's prefix, None for one without
    text): every box comes back as it was typed, so no text is lost, and the person sends
    each with its own button. None when there is no such text."""
    others = [prefix for prefix in _typed(request) if prefix != own]
    elsewhere = typed_text_of_others(request, complaint)
    worklist = own != "worklist" and worklist_changed(request, complaint)
    if not others and not elsewhere and not worklist:
        return None
    forms = _bound(request, [*others, *([own] if own in ACTIONS else [])])
    boxes = [f"«{ACTIONS[prefix][2]}»" for prefix in others]
    if worklist:
        forms["worklist_form"] = worklist_form(complaint, request.POST)
        boxes.append(f"«{_('Title and assigned officer')}»")
    if elsewhere:
        boxes.append(str(_("the triage and referral forms")))
    message = _("You also wrote in %(boxes)s. Nothing was done, so that no text is lost: "
                "send each with its own button.") % {"boxes": ", ".join(boxes)}
    if elsewhere:
        # Those boxes are on the read page only: it is shown again (a new reading, recorded).
        return _read_page_again(request, unit, complaint, message, {**forms, **elsewhere})
    return refused(request, unit, complaint, forms=forms,
                   error=ValidationError(message, code="typed_elsewhere"))


def _read_page_again(request, unit, complaint, message: str, typed: dict):
    try:
        content = case_read(complaint=complaint, reader=request.user)
    except VaultError as error:
        return refused(request, unit, complaint, error=ValidationError(error.user_message))
    messages.warning(request, message)
    return read_page(request, unit, complaint, content, status=409, **typed)


def worklist_form(complaint: Complaint, data=None):
    """The case page's form for its short title and its officer (those who open the case
    page may assign it); a closed case is given to nobody any more, so it has the title
    alone."""
    initial = {"title": complaint.title, "officer": complaint.assigned_to_id}
    if complaint.status == Status.CLOSED:
        form = TitleForm(data, prefix="worklist", initial=initial)
    else:
        form = WorklistForm(data, prefix="worklist", initial=initial,
                            officers=officers_for(complaint))
    for field in form.fields.values():  # part of the page's one form, as the actions are
        field.widget.attrs["form"] = CASE_FORM
    return form


def worklist_changed(request, complaint: Complaint) -> bool:
    """Whether the title or the officer in this request differ from the case's: typed on
    the case page and not yet saved."""
    post = request.POST
    if "worklist-title" not in post:
        return False
    officer = post.get("worklist-officer")
    return (" ".join(post["worklist-title"].split()) != " ".join((complaint.title or "").split())
            or (officer is not None and officer != str(complaint.assigned_to_id or "")))


def case_page_context(unit, complaint: Complaint, **extra) -> dict:
    """The context of the case page and of the read page, for a complaint found by
    `case_for` (its overdue clocks come with it); `extra` is added last."""
    closed = complaint.status == Status.CLOSED
    return {
        "unit": unit,
        "complaint": complaint,
        "shredded": complaint.data_key.is_shredded,
        "acknowledge_overdue": complaint.acknowledge_overdue,
        "resolve_overdue": complaint.resolve_overdue,
        "closed": closed,
        "labels": LABELS,
        "worklist_form": worklist_form(complaint),
        **extra,
    }


def case_panels(request, unit, complaint: Complaint, content=None, **extra) -> dict:
    """The case's panels (intake.panels: intake's own actions and what routing and
    lifecycle add), split as each says of itself: `primary_panels`, what the case's state
    calls for, shown first and open; `folded_panels`, the rest, folded at the foot."""
    shown = render_case_panels(request, unit, complaint, content, **extra)
    return {"primary_panels": [panel for panel in shown if panel.primary],
            "folded_panels": [panel for panel in shown if not panel.primary]}


def case_lists(complaint: Complaint) -> dict:
    """The thread, notes and files of a case as dates and counts, without their content."""
    return {
        "thread": complaint.messages.defer("body").select_related("sent_by"),
        "notes": complaint.notes.defer("body").select_related("written_by"),
        "files": complaint.attachments.defer("filename").order_by("created_at", "pk"),
    }


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


def read_context(content: CaseContent) -> dict:
    """The decrypted case (intake.case.services.case_read) as the read page shows it:
    sections with their amendments beside them, the thread, the notes, the files, and what
    was found damaged."""
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


def read_page(request, unit, complaint: Complaint, content: CaseContent, *, status=200,
              **panel_extra):
    """The read page of a case just read; `panel_extra` reaches the panels other apps add
    (intake.panels), so a refused form of theirs shows its errors there."""
    return render(request, "intake/staff/case/read.html", case_page_context(
        unit, complaint, **read_context(content),
        **case_panels(request, unit, complaint, content, **panel_extra),
    ), status=status)


def refused(request, unit, complaint, *, form_name=None, form=None, error=None,
            panel_extra=None, forms=None):
    """The case page again, with what was wrong; nothing was saved. `panel_extra` reaches
    the panels other apps add (intake.panels), so their refused forms show their errors;
    `forms` are more bound action forms to show as they were typed."""
    extra = {**(forms or {}), **({form_name: form} if form_name else {})}
    if error is not None:
        extra["refusal"] = error.messages
    # A form that did not validate is bad input (400); a rule that refused is a conflict.
    status = 409 if error is not None or not (panel_extra or (form and form.errors)) else 400
    # intake's own actions are panels too: a refused form of theirs goes back into its panel.
    panel_extra = {**(panel_extra or {}), **(forms or {}),
                   **({form_name: form} if form_name else {})}
    return render(request, "intake/staff/case/case.html",
                  case_page_context(unit, complaint, **case_lists(complaint), **extra,
                                    **case_panels(request, unit, complaint, **panel_extra)),
                  status=status)
