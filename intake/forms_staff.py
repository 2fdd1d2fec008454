"""Forms the clerk and officers fill in for what comes in by hand: box openings and their
slips, phone calls, walk-ins, notebook entries, letters, emails and social media messages.

Where a reporter's own details go: the person (name, phone, postal address) goes into
`Content.reporter`; what identifies the channel itself (a letter's number and date, an email
address and subject line, a social media platform and handle, a notebook page) goes into
`Content.channel_details`. Both are sealed by the vault; neither is ever shown in a list.
"""

import re
import secrets
from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake.forms_public import MAX_BODY, AttachmentsField, PlainTextField
from intake.models import BoxOpening, Channel, DiscardedSlip, Kind
from intake.phones import MESSAGES as PHONE_MESSAGES
from intake.phones import normalise_phone

# Nothing logged here happened before Shugel's oldest paper records; an earlier year is a typo.
EARLIEST_YEAR = 2000
MAX_SLIPS = 1000
MAX_CALL_MINUTES = 300
OTHER_LINE = "other"

BODY_ERRORS = {
    "required": _("Write what happened."),
    "max_length": _("Keep it under %(limit_value)d characters; attach a document for a "
                    "longer account."),
}


# --- fields -------------------------------------------------------------------------------

class LocalDateTimeField(forms.DateTimeField):
    """A moment in Ulaanbaatar time, typed by hand: never in the future, never absurdly old."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                     "%Y.%m.%d %H:%M"]
    default_error_messages = {
        "invalid": _("Enter a date and time, e.g. 2026-03-02 14:30."),
        "required": _("Enter the date and time."),
    }

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if value > timezone.now():
            raise ValidationError(_("This time is in the future. Enter when it happened."),
                                  code="future")
        if value.year < EARLIEST_YEAR:
            raise ValidationError(_("Check the year: this date is too long ago."),
                                  code="too_old")


class LocalDateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {"invalid": _("Enter a date, e.g. 2026-03-02.")}

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if value > timezone.localdate():
            raise ValidationError(_("This date is in the future."), code="future")
        if value.year < EARLIEST_YEAR:
            raise ValidationError(_("Check the year: this date is too long ago."),
                                  code="too_old")


class PhoneField(forms.CharField):
    """An optional phone number as a person gave it, returned in E.164 ("" when empty)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 40)
        # Django's own "at most N characters" is missing from its Mongolian catalogue.
        kwargs.setdefault("error_messages", {"max_length": PHONE_MESSAGES["too_long"]})
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "tel",
                                                           "autocomplete": "off"}))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return normalise_phone(value) if value else ""


class CallDurationField(forms.CharField):
    """How long a call lasted, as minutes:seconds ("4:30") or whole minutes ("5"); seconds."""

    PATTERN = re.compile(r"^(\d{1,3})(?:[:.](\d{1,2}))?$")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"maxlength": 10,
                                                           "inputmode": "numeric"}))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        text = super().to_python(value).replace(" ", "")
        if not text:
            return None
        match = self.PATTERN.match(text)
        if not match or (match[2] is not None and int(match[2]) >= 60):
            raise ValidationError(
                _("Give the duration as minutes:seconds (e.g. 4:30) or whole minutes (e.g. 5)."),
                code="invalid",
            )
        seconds = int(match[1]) * 60 + int(match[2] or 0)
        if seconds > MAX_CALL_MINUTES * 60:
            raise ValidationError(_("A call of more than %(hours)d hours? Check the duration."),
                                  code="too_long", params={"hours": MAX_CALL_MINUTES // 60})
        return seconds


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.get_username()


def unit_staff(unit):
    """People with an active role in `unit`: who may open a box or witness its opening."""
    return (
        get_user_model().objects.filter(
            is_active=True, memberships__unit=unit, memberships__is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _now_to_the_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


class OnceOnlyForm(forms.Form):
    """Carries a one-time token, so that a form sent twice (a double click, or reloading a
    page that shows a receipt) is saved once. The view keeps the tokens it has used."""

    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", secrets.token_urlsafe(24))

    def clean(self):
        cleaned = super().clean()
        # A hidden field's own error would not be shown next to anything; say it on top.
        if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", cleaned.get("token") or ""):
            raise ValidationError(_("The form is incomplete. Reload the page and try again."),
                                  code="token")
        return cleaned


# --- box openings --------------------------------------------------------------------------

class BoxOpeningForm(OnceOnlyForm):
    box = forms.ChoiceField(label=_("Which box?"), choices=BoxOpening.Box.choices,
                            widget=forms.RadioSelect)
    opened_at = LocalDateTimeField(label=_("Opened at"))
    opened_by = StaffChoiceField(label=_("Opened by"), queryset=None, empty_label=None)
    witness = StaffChoiceField(
        label=_("Witness"), queryset=None, empty_label=_("Choose the witness"),
        help_text=_("Someone other than the person who opened the box, present at the opening."),
        error_messages={"required": _("Choose the witness who was present.")},
    )
    slip_count = forms.IntegerField(
        label=_("Number of slips in the box"), min_value=0, max_value=MAX_SLIPS,
        help_text=_("Count every slip, including blank ones. Enter 0 if the box was empty."),
        error_messages={"required": _("Enter how many slips were in the box (0 if none).")},
    )

    def __init__(self, *args, unit, user, **kwargs):
        super().__init__(*args, **kwargs)
        staff = unit_staff(unit)
        self.fields["opened_by"].queryset = staff
        self.fields["witness"].queryset = staff
        if not self.is_bound:
            self.initial.setdefault("opened_by", user.pk)
            self.initial.setdefault("opened_at", _now_to_the_minute())

    def clean(self):
        cleaned = super().clean()
        opened_by, witness = cleaned.get("opened_by"), cleaned.get("witness")
        if opened_by and witness and opened_by == witness:
            self.add_error("witness", ValidationError(
                _("The witness must be someone other than the person who opened the box."),
                code="witness",
            ))
        return cleaned


class BoxOpeningFilterForm(forms.Form):
    box = forms.ChoiceField(label=_("Box"), required=False,
                            choices=[("", _("Both boxes")), *BoxOpening.Box.choices])
    month = forms.DateField(
        label=_("Month"), required=False, input_formats=["%Y-%m", "%Y.%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": _("Enter a month, e.g. 2026-03.")},
    )

    def filter(self, openings):
        """Narrows a queryset of openings; call after is_valid()."""
        data = self.cleaned_data
        if data["box"]:
            openings = openings.filter(box=data["box"])
        if data["month"]:
            zone = timezone.get_current_timezone()
            first = data["month"].replace(day=1)
            following = (first + timedelta(days=32)).replace(day=1)
            openings = openings.filter(
                opened_at__gte=datetime.combine(first, time.min, tzinfo=zone),
                opened_at__lt=datetime.combine(following, time.min, tzinfo=zone),
            )
        return openings


class BoxSlipForm(OnceOnlyForm):
    kind = forms.ChoiceField(label=_("Is it a complaint or a suggestion?"),
                             choices=Kind.choices, initial=Kind.COMPLAINT,
                             widget=forms.RadioSelect)
    body = PlainTextField(
        label=_("Text as written on the slip"), max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Copy the words as they are written, mistakes included; do not summarise."),
        error_messages=BODY_ERRORS,
    )
    subject = PlainTextField(label=_("Whom or what it is about"), max_length=500,
                             required=False,
                             help_text=_("Names or positions of staff, if the slip gives them."))
    name = PlainTextField(label=_("Name written on the slip"), max_length=200, required=False)
    phone = PhoneField(label=_("Phone number written on the slip"))
    contact = PlainTextField(label=_("Other contact written on the slip"), max_length=300,
                             required=False, help_text=_("An email or postal address."))
    scans = AttachmentsField(
        label=_("Scanned image of the slip"),
        help_text=_("Optional: a photo or scan of each side (JPEG, PNG or PDF, 10 MB each). "
                    "It is stored encrypted."),
    )

    def reporter(self) -> dict | None:
        found = {key: self.cleaned_data.get(key) for key in ("name", "phone", "contact")}
        return {key: value for key, value in found.items() if value} or None


class DiscardSlipForm(OnceOnlyForm):
    reason = forms.ChoiceField(label=_("Why is it not a complaint?"),
                               choices=DiscardedSlip.Reason.choices, widget=forms.RadioSelect,
                               error_messages={"required": _("Choose a reason.")})


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
            self.initial.setdefault("started_at", _now_to_the_minute())

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
    name = PlainTextField(label=_("Name of the person"), max_length=200, required=False,
                          help_text=_("Only if they gave it."))
    phone = PhoneField(label=_("Phone number"), help_text=_("Only if they gave it."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_at"].label = self.received_label
        self.fields["body"].label = self.body_label
        self.fields["body"].help_text = self.body_help
        if not self.is_bound:
            self.initial.setdefault("received_at", _now_to_the_minute())

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

    field_order = ["kind", "received_at", "name", "phone", "body", "subject", "give_receipt"]


class NotebookForm(ChannelForm):
    channel = Channel.NOTEBOOK
    received_label = _("Date of the entry")
    body_label = _("Text as written in the notebook")
    body_help = _("Copy the words as they are written, mistakes included; do not summarise.")

    page = forms.IntegerField(label=_("Page"), min_value=1, max_value=10_000,
                              error_messages={"required": _("Enter the notebook page.")})
    entry = forms.IntegerField(label=_("Entry number on the page"), min_value=1,
                               max_value=1000, required=False)

    field_order = ["kind", "page", "entry", "received_at", "body", "subject", "name", "phone"]

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
                   "phone", "body", "subject", "attachments"]

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
                   "body", "subject", "attachments"]

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
                   "subject"]

    def channel_details(self):
        data = self.cleaned_data
        found = {"platform": data["platform"], "handle": data["handle"]}
        return {key: value for key, value in found.items() if value}


CHANNEL_FORMS: dict[str, type[ChannelForm]] = {
    form.channel: form for form in (WalkInForm, NotebookForm, LetterForm, EmailForm, SocialForm)
}
