"""Forms staff fill in on the queue and on a case. Every one validates before anything is
saved; text is plain (intake.fields.PlainTextField) and always shown escaped."""

import re
from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.choices import ShortChoiceField
from intake.case.services import AMENDABLE_FIELDS
from intake.fields import MAX_BODY, DayField, PlainTextField, TitleField
from intake.models import Channel, Complaint, Kind, Status

MAX_REASON = 2000
OPEN = "open"
# The queue's views besides every case: the signed-in officer's own, and nobody's yet.
MINE, UNASSIGNED = "mine", "unassigned"
VIEWS = [("", _("All complaints")), (MINE, _("Assigned to me")), (UNASSIGNED, _("Not assigned"))]
# What may be searched for in a reference number (DG-2026-00006): letters, digits, hyphens.
REFERENCE_PART = re.compile(r"^[A-Za-z0-9-]+$")


def field_label(name: str):
    """A complaint field's own (translated) name, for a label or a column heading."""
    return capfirst(Complaint._meta.get_field(name).verbose_name)


class QueueFilterForm(forms.Form):
    """Filters for a unit's queue. They read metadata only; no content is decrypted."""

    view = forms.ChoiceField(label=_("Show"), required=False, choices=VIEWS,
                             widget=forms.HiddenInput)
    reference = forms.CharField(
        label=_("Reference number"), required=False, max_length=32,
        help_text=_("The whole number or a part of it, e.g. DG-2026-00006 or 00006."),
        error_messages={"max_length": _("A reference number is shorter than that.")},
    )
    status = forms.ChoiceField(
        label=field_label("status"), required=False,
        choices=[("", _("Any status")), (OPEN, _("Open (not closed)")), *Status.choices],
    )
    channel = forms.ChoiceField(label=field_label("channel"), required=False,
                                choices=[("", _("Any channel")), *Channel.choices])
    kind = forms.ChoiceField(label=field_label("kind"), required=False,
                             choices=[("", _("Complaints and suggestions")), *Kind.choices])
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    received_from = DayField(label=_("Received from"))
    received_to = DayField(label=_("Received until"))

    def clean_reference(self):
        text = self.cleaned_data["reference"].strip()
        if text and not REFERENCE_PART.match(text):
            raise forms.ValidationError(
                _("A reference number has only Latin letters, digits and hyphens, e.g. "
                  "DG-2026-00006."), code="reference")
        return text

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("received_from"), cleaned.get("received_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The first day comes after the last day."))
        return cleaned

    def filter(self, complaints, *, today=None, user=None):
        """Narrow a queryset of complaints to what the form asks for; "mine" is `user`'s.
        Call after is_valid()."""
        data = self.cleaned_data
        if data["view"] == MINE:
            complaints = complaints.filter(assigned_to=user)
        elif data["view"] == UNASSIGNED:
            complaints = complaints.filter(assigned_to__isnull=True)
        if data["reference"]:
            complaints = complaints.with_reference_like(data["reference"])
        if data["status"] == OPEN:
            complaints = complaints.open()
        elif data["status"]:
            complaints = complaints.filter(status=data["status"])
        if data["channel"]:
            complaints = complaints.filter(channel=data["channel"])
        if data["kind"]:
            complaints = complaints.filter(kind=data["kind"])
        if data["overdue"]:
            complaints = complaints.overdue(today)
        # Days are Ulaanbaatar days, whatever the server's clock says.
        zone = timezone.get_current_timezone()
        if data["received_from"]:
            complaints = complaints.filter(
                received_at__gte=datetime.combine(data["received_from"], time.min, tzinfo=zone))
        if data["received_to"]:
            next_day = data["received_to"] + timedelta(days=1)
            complaints = complaints.filter(
                received_at__lt=datetime.combine(next_day, time.min, tzinfo=zone))
        return complaints


def _text(label, *, required_message, max_length=MAX_BODY, rows=5, help_text=""):
    return PlainTextField(
        label=label, max_length=max_length, strip=True, help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": required_message,
            "max_length": _("Keep it under %(limit_value)d characters."),
        },
    )


# The case page's one form (templates/intake/staff/case/_tasks.html).
CASE_FORM = "case-actions"


class CaseActionForm(forms.Form):
    """An action on the case page: its fields belong to the page's one form, so that the
    text typed into it goes with whichever button is pressed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["form"] = CASE_FORM


class ReplyForm(CaseActionForm):
    body = _text(_("Reply to the reporter"), required_message=_("Write the reply."),
                 help_text=_("The reporter reads this with their receipt code. Do not write "
                             "anything that must stay inside the office."))


class NoteForm(CaseActionForm):
    body = _text(_("Internal note"), required_message=_("Write the note."),
                 help_text=_("Seen only by staff who may read this case."))


def amendable_choices():
    return [(name, field_label(name)) for name in AMENDABLE_FIELDS]


class AmendmentForm(CaseActionForm):
    amends_field = forms.ChoiceField(
        label=_("Which part of the record it corrects"), choices=amendable_choices,
        error_messages={"required": _("Choose which part of the record it corrects."),
                        "invalid_choice": _("Choose which part of the record it corrects.")},
    )
    body = _text(_("Corrected text"), required_message=_("Write the corrected text."),
                 help_text=_("What was received stays as it was; the correction is kept "
                             "beside it with your name and the time."))


class ExtensionForm(CaseActionForm):
    reason = _text(_("Reason for the extension"),
                   required_message=_("Give the reason for the extension."),
                   max_length=MAX_REASON, rows=3,
                   help_text=_("Sent to the reporter as the notice of extension."))


class ClosureForm(CaseActionForm):
    reason = _text(_("Reason for closing and the outcome"),
                   required_message=_("Give the reason for closing the case."),
                   max_length=MAX_REASON, rows=4,
                   help_text=_("Sent to the reporter as the answer to their complaint."))


class TitleForm(forms.Form):
    """The case's short title, for those who may write it but not assign the case (the
    clerk, on the page of what they logged)."""

    title = TitleField()


class WorklistForm(TitleForm):
    """The title and whom the case is given to, among `officers`
    (intake.case.worklist.officers_for); an empty choice gives it to nobody. One form, so
    that a title typed is never lost by choosing the officer."""

    officer = ShortChoiceField(
        label=_("Assigned officer"), queryset=None, required=False,
        empty_label=_("Nobody yet"),
        error_messages={"invalid_choice": _(
            "A case can be assigned only to an officer of its unit who may handle it.")},
    )

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.fields["officer"].label_from_instance = person_name


def person_name(user) -> str:
    return user.get_full_name() or user.get_username()
