"""Forms a citizen fills in: the anonymous report, the receipt lookup and a follow-up message."""

import secrets
import time
from datetime import timedelta

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from intake.fields import MAX_BODY, TOO_LONG, AttachmentsField, PlainTextField
from intake.models import Kind
from intake.phones import normalise_phone
from org.models import Unit

# The report form's one-time token: random, so a form posted twice makes one complaint;
# signed, so it cannot be made up; dated, so a page left open for days is checked again.
TOKEN_SALT = "intake.report-form"
TOKEN_MAX_AGE = timedelta(hours=24)
TOKEN_REFUSED = _("This form has expired or is incomplete. Check what you wrote and send it "
                  "again.")


# The receipt lookup and the reporter's message carry one too, so that only a request sent
# from a form this site gave out is counted against a rate limit (intake/ratelimit.py): made-up
# posts cannot spend an honest visitor's budget. Its age also paces a sender without
# JavaScript while the site is under pressure.
LOOKUP_TOKEN_SALT = "intake.lookup-form"


def new_form_token(salt: str = TOKEN_SALT) -> str:
    return signing.TimestampSigner(salt=salt).sign(secrets.token_urlsafe(24))


def form_token_age(token: str, salt: str = TOKEN_SALT) -> float | None:
    """Seconds since this site gave the token out; None when it was made up, altered or is
    older than TOKEN_MAX_AGE."""
    signer = signing.TimestampSigner(salt=salt)
    try:
        signer.unsign(token or "", max_age=TOKEN_MAX_AGE)
        issued = signing.b62_decode(token.rsplit(signer.sep, 2)[1])
    except (signing.BadSignature, IndexError, ValueError):
        return None
    return max(0.0, time.time() - issued)


def public_units():
    return Unit.objects.active().exclude(kind=Unit.Kind.NATIONAL).order_by("name_mn")


def unit_named(code: str | None) -> Unit | None:
    """The unit a link chose (`/report/?unit=DG`, the address on a unit's poster), when it
    is one the form offers; any other value chooses nothing."""
    return public_units().filter(code=code[:40]).first() if code else None


class _ListedUnitField(forms.ModelChoiceField):
    """A choice among the units the form has already read (`listed`), so that the choice
    is checked against them without asking the database again."""

    listed: list = []

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        for unit in self.listed:
            if str(unit.pk) == str(value):
                return unit
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                              params={"value": value})


class WebReportForm(forms.Form):
    pow_bits = 0  # as on LookupTokenForm

    unit = _ListedUnitField(
        label=_("Which office is it about?"), queryset=Unit.objects.none(),
        empty_label=None,
    )
    kind = forms.ChoiceField(
        label=_("Is this a complaint or a suggestion?"), choices=Kind.choices,
        initial=Kind.COMPLAINT, widget=forms.RadioSelect,
    )
    body = PlainTextField(
        label=_("What happened?"), max_length=MAX_BODY, strip=True,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Describe what happened in your own words. Do not write your own name "
                    "here if you want to stay anonymous."),
        error_messages={"required": _("Write what happened."),
                        "max_length": _("Keep it under %(limit_value)d characters; attach a "
                                        "document for a longer account.")},
    )
    where = PlainTextField(label=_("Where?"), max_length=300, required=False)
    when = PlainTextField(label=_("When?"), max_length=200, required=False,
                          help_text=_("A date, or roughly, e.g. “last week”."))
    who = PlainTextField(
        label=_("Who was involved?"), max_length=500, required=False,
        help_text=_("Names or positions of staff, if you know them. Staff you name here will "
                    "not be able to see your report."),
    )
    name = PlainTextField(label=_("Your name"), max_length=200, required=False,
                          widget=forms.TextInput(attrs={"autocomplete": "off"}))
    phone = PlainTextField(label=_("Your phone number"), max_length=40, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "off",
                                                         "inputmode": "tel"}))
    email = forms.EmailField(label=_("Your email address"), max_length=200, required=False,
                             error_messages={"max_length": TOO_LONG},
                             widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    publish = forms.BooleanField(
        label=_("When the case is closed, a short summary may be published"),
        required=False,
        help_text=_("On the notice board, the screen in the hall and the website, as “you "
                    "said, we did”: written by the officer in a few words of their own, "
                    "never your words, your name or anything that shows who you are."))
    attachments = AttachmentsField(
        label=_("Photos or documents"),
        help_text=_("Up to 5 files (JPEG, PNG or PDF), 10 MB each. Location and camera "
                    "details are removed from photos, and the author's name and other "
                    "properties from PDF files; what a page itself shows is kept."),
    )
    # Left empty by people; filled in by the simple robots that flood forms.
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    token = forms.CharField(widget=forms.HiddenInput, max_length=200,
                            error_messages={"required": TOKEN_REFUSED,
                                            "max_length": TOKEN_REFUSED})

    def __init__(self, *args, units: list | None = None, **kwargs):
        """`units`: the public units as another form of this request read them."""
        super().__init__(*args, **kwargs)
        self.units = list(public_units()) if units is None else units
        field = self.fields["unit"]
        field.queryset, field.listed = public_units(), self.units
        if len(self.units) == 1:
            field.initial = self.units[0]
            field.widget = forms.HiddenInput()

    def clean_phone(self):
        raw = self.cleaned_data.get("phone", "")
        return normalise_phone(raw) if raw.strip() else ""

    def clean_token(self):
        try:
            signing.TimestampSigner(salt=TOKEN_SALT).unsign(
                self.cleaned_data["token"], max_age=TOKEN_MAX_AGE
            )
        except signing.BadSignature:  # made up, altered or too old
            raise ValidationError(TOKEN_REFUSED, code="token")
        return self.cleaned_data["token"]

    def renew_token(self):
        """After a refused token: the page shown again carries a fresh one, so that sending
        it again can succeed, and keeps everything the visitor wrote."""
        self.data = self.data.copy()
        self.data["token"] = new_form_token()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise ValidationError(_("The form could not be accepted. Reload the page and try "
                                    "again."), code="robot")
        return cleaned

    def reporter(self) -> dict | None:
        found = {key: self.cleaned_data.get(key) for key in ("name", "phone", "email")}
        found = {key: value.strip() for key, value in found.items() if value and value.strip()}
        return found or None

    def particulars(self) -> dict | None:
        found = {key: self.cleaned_data.get(key, "").strip() for key in ("where", "when")}
        found = {key: value for key, value in found.items() if value}
        return found or None


class LookupTokenForm(forms.Form):
    """A form given out with a signed, dated token (see LOOKUP_TOKEN_SALT). `pow_bits` is set
    by the view while the site is under pressure: the page then asks the browser for a
    proof of work (static/js/pow.js)."""

    token_salt = LOOKUP_TOKEN_SALT
    pow_bits = 0
    token = forms.CharField(widget=forms.HiddenInput, max_length=200,
                            error_messages={"required": TOKEN_REFUSED,
                                            "max_length": TOKEN_REFUSED})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", new_form_token(self.token_salt))

    def clean_token(self):
        if form_token_age(self.cleaned_data["token"], self.token_salt) is None:
            raise ValidationError(TOKEN_REFUSED, code="token")
        return self.cleaned_data["token"]

    def renew_token(self):
        """A refused token is replaced, so that sending again can succeed; the rest of what
        was typed is kept."""
        self.data = self.data.copy()
        self.data["token"] = new_form_token(self.token_salt)


class ReceiptForm(LookupTokenForm):
    receipt = forms.CharField(
        label=_("Receipt code"), max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric",
                                      "spellcheck": "false", "autocapitalize": "off"}),
        help_text=_("The 16 digits you were given when you reported."),
    )


class ReporterMessageForm(LookupTokenForm):
    """A reporter's answer; the receipt that opened the case travels beside it in the POST
    body and is looked up again (intake.public.views.track_message)."""

    body = PlainTextField(
        label=_("Your message"), max_length=MAX_BODY, strip=True,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write a message."),
                        "max_length": _("Keep it under %(limit_value)d characters; attach a "
                                        "document for a longer account.")},
    )
    attachments = AttachmentsField(label=_("Photos or documents"))
