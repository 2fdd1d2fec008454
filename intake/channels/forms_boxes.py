"""The clerk's forms for a box opening: the opening itself (with its witness), the filter of
the list of openings, a slip logged as a complaint, and a slip set aside as not one."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import MonthField
from intake.channels.fields import (
    BODY_ERRORS,
    LocalDateTimeField,
    OnceOnlyForm,
    PhoneField,
    now_to_the_minute,
)
from intake.fields import MAX_BODY, AttachmentsField, PlainTextField, TitleField
from intake.models import BoxOpening, DiscardedSlip, Kind

MAX_SLIPS = 1000


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
            self.initial.setdefault("opened_at", now_to_the_minute())

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
    month = MonthField(label=_("Month"), required=False)

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
    title = TitleField()
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
