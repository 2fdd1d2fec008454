"""Forms the clerk and officers fill in for what comes in by hand, one item at a time: phone
calls, walk-ins, notebook entries, letters, emails and social media messages. (Box slips are
logged inside an opening: intake.channels.forms_boxes.)

Where a reporter's own details go: the person (name, phone, postal address) goes into
`Content.reporter`; what identifies the channel itself (a letter's number and date, an email
address and subject line, a social media platform and handle, a notebook page) goes into
`Content.channel_details`. Both are sealed by the vault; neither is ever shown in a list.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake.channels.fields import (
    BODY_ERRORS,
    CallDurationField,
    LocalDateField,
    LocalDateTimeField,
    OnceOnlyForm,
    PhoneField,
    now_to_the_minute,
)
from intake.fields import MAX_BODY, AttachmentsField, PlainTextField, TitleField
from intake.models import Channel, Kind

OTHER_LINE = "other"


# --- phone calls ---------------------------------------------------------------------------

class PhoneCallForm(OnceOnlyForm):
    line = forms.ChoiceField(label=_("Which line was called?"), widget=forms.RadioSelect)
    other_line = PhoneField(label=_("Number of the other line"),
                            help_text=_("Only if the call came to another line."))
    started_at = LocalDateTimeField(label=_("When the call began"))
    duration = CallDurationField(
        label=_("Duration"), help_text=_("Minutes:seconds, e.g. 4:30, or whole minutes."),
        error_messages={"required": _("Enter how long the call lasted.")},
    )
    caller_phone = PhoneField(
        label=_("Caller's number"),
        help_text=_("Only if the caller gave it or agreed to it being kept."),
    )
    caller_name = PlainTextField(label=_("Caller's name"), max_length=200, required=False,
                                 help_text=_("Only if the caller gave it."))
    kind = forms.ChoiceField(label=_("Is it a complaint or a suggestion?"),
                             choices=Kind.choices, initial=Kind.COMPLAINT,
                             widget=forms.RadioSelect)
    body = PlainTextField(
        label=_("Summary of the call"), max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happened, where, when and who was involved, in the caller's words "
                    "as far as possible."),
        error_messages=BODY_ERRORS,
    )
    subject = PlainTextField(label=_("Whom or what it is about"), max_length=500,
                             required=False, help_text=_("Names or positions of staff, if given."))
    title = TitleField()
    summary_confirmed = forms.BooleanField(
        label=_("I read the summary back to the caller and they confirmed it."),
        error_messages={"required": _("Read the summary back to the caller and tick this box "
                                      "once they confirm it. Nothing is saved without it.")},
    )
    give_receipt = forms.BooleanField(
        label=_("Give the caller a receipt code"), required=False,
        help_text=_("The next page shows a 16-digit code once, for you to read out. With it "
                    "the caller can follow the case on the web."),
    )

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        lines = [(unit.public_phone, unit.public_phone)] if unit.public_phone else []
        self.fields["line"].choices = [*lines, (OTHER_LINE, _("Another line"))]
        if not self.is_bound:
            self.initial.setdefault("line", lines[0][0] if lines else OTHER_LINE)
            self.initial.setdefault("started_at", now_to_the_minute())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("line") != OTHER_LINE and cleaned.get("other_line"):
            self.add_error("other_line", ValidationError(
                _("Choose “Another line” above, or leave this empty."), code="not_other",
            ))
        return cleaned

    def line_called(self) -> str:
        data = self.cleaned_data
        return (data["other_line"] or OTHER_LINE) if data["line"] == OTHER_LINE else data["line"]

    def reporter(self) -> dict | None:
        found = {"name": self.cleaned_data["caller_name"],
                 "phone": self.cleaned_data["caller_phone"]}
        return {key: value for key, value in found.items() if value} or None


# --- walk-ins, the notebook, letters, emails and social media -------------------------------

class ChannelForm(OnceOnlyForm):
    """What every channel logged by hand asks; subclasses add the channel's own details."""

    channel: str = ""
    takes_attachments = False
    received_label = _("Received at")
    body_label = _("What it says")
    body_help = _("Copy the text, or summarise it faithfully.")

    kind = forms.ChoiceField(label=_("Is it a complaint or a suggestion?"),
                             choices=Kind.choices, initial=Kind.COMPLAINT,
                             widget=forms.RadioSelect)
    received_at = LocalDateTimeField()
    body = PlainTextField(max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 8}),
                          error_messages=BODY_ERRORS)
    subject = PlainTextField(label=_("Whom or what it is about"), max_length=500,
                             required=False, help_text=_("Names or positions of staff, if given."))
    title = TitleField()
    name = PlainTextField(label=_("Name of the person"), max_length=200, required=False,
                          help_text=_("Only if they gave it."))
    phone = PhoneField(label=_("Phone number"), help_text=_("Only if they gave it."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_at"].label = self.received_label
        self.fields["body"].label = self.body_label
        self.fields["body"].help_text = self.body_help
        if not self.is_bound:
            self.initial.setdefault("received_at", now_to_the_minute())

    def reporter(self) -> dict | None:
        found = {key: self.cleaned_data.get(key) for key in ("name", "phone", "address")}
        return {key: value for key, value in found.items() if value} or None

    def channel_details(self) -> dict | None:
        return None


class WalkInForm(ChannelForm):
    channel = Channel.WALK_IN
    received_label = _("Time of the visit")
    body_label = _("What the visitor said")

    give_receipt = forms.BooleanField(
        label=_("Give the visitor a receipt code"), required=False,
        help_text=_("The next page shows a 16-digit code once. Let the visitor copy it in "
                    "private; with it they can follow the case on the web."),
    )

    field_order = ["kind", "received_at", "name", "phone", "body", "subject", "title",
                   "give_receipt"]


class NotebookForm(ChannelForm):
    channel = Channel.NOTEBOOK
    received_label = _("Date of the entry")
    body_label = _("Text as written in the notebook")
    body_help = _("Copy the words as they are written, mistakes included; do not summarise.")

    page = forms.IntegerField(label=_("Page"), min_value=1, max_value=10_000,
                              error_messages={"required": _("Enter the notebook page.")})
    entry = forms.IntegerField(label=_("Entry number on the page"), min_value=1,
                               max_value=1000, required=False)

    field_order = ["kind", "page", "entry", "received_at", "body", "subject", "title", "name",
                   "phone"]

    def channel_details(self):
        data = self.cleaned_data
        return {key: data[key] for key in ("page", "entry") if data[key] is not None}


class LetterForm(ChannelForm):
    channel = Channel.LETTER
    takes_attachments = True
    received_label = _("Received at")

    letter_number = PlainTextField(label=_("The sender's letter number"), max_length=50,
                                   required=False)
    letter_date = LocalDateField(label=_("Date of the letter"), required=False)
    address = PlainTextField(label=_("Sender's address"), max_length=300, required=False,
                             help_text=_("Only if the letter gives it."))
    attachments = AttachmentsField(
        label=_("Scan of the letter"),
        help_text=_("Up to 5 files (JPEG, PNG or PDF), 10 MB each. They are stored encrypted."),
    )

    field_order = ["kind", "letter_number", "letter_date", "received_at", "name", "address",
                   "phone", "body", "subject", "title", "attachments"]

    def clean(self):
        cleaned = super().clean()
        dated, received = cleaned.get("letter_date"), cleaned.get("received_at")
        if dated and received and dated > timezone.localdate(received):
            self.add_error("letter_date", ValidationError(
                _("The letter cannot be dated after the day it was received."), code="order",
            ))
        return cleaned

    def channel_details(self):
        data = self.cleaned_data
        found = {"letter_number": data["letter_number"],
                 "letter_date": data["letter_date"].isoformat() if data["letter_date"] else ""}
        return {key: value for key, value in found.items() if value} or None


class EmailForm(ChannelForm):
    channel = Channel.EMAIL
    takes_attachments = True

    sender_address = forms.EmailField(label=_("Sender's email address"), max_length=254,
                                      required=False, help_text=_("Only if it is known."))
    email_subject = PlainTextField(label=_("Subject line of the email"), max_length=300,
                                   required=False)
    attachments = AttachmentsField(
        label=_("Files attached to the email"),
        help_text=_("Up to 5 files (JPEG, PNG or PDF), 10 MB each. They are stored encrypted."),
    )

    field_order = ["kind", "received_at", "sender_address", "email_subject", "name", "phone",
                   "body", "subject", "title", "attachments"]

    def channel_details(self):
        data = self.cleaned_data
        found = {"sender_address": data["sender_address"],
                 "email_subject": data["email_subject"]}
        return {key: value for key, value in found.items() if value} or None


class SocialForm(ChannelForm):
    channel = Channel.SOCIAL

    PLATFORMS = [
        ("facebook", "Facebook"),
        ("instagram", "Instagram"),
        ("x", "X (Twitter)"),
        ("other", _("Another platform")),
    ]
    platform = forms.ChoiceField(label=_("Platform"), choices=PLATFORMS)
    handle = PlainTextField(label=_("The sender's account name"), max_length=100,
                            required=False, help_text=_("Only if it is known."))

    field_order = ["kind", "platform", "handle", "received_at", "name", "phone", "body",
                   "subject", "title"]

    def channel_details(self):
        data = self.cleaned_data
        found = {"platform": data["platform"], "handle": data["handle"]}
        return {key: value for key, value in found.items() if value}


CHANNEL_FORMS: dict[str, type[ChannelForm]] = {
    form.channel: form for form in (WalkInForm, NotebookForm, LetterForm, EmailForm, SocialForm)
}
