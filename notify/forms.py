"""The notification centre's filters and a person's notification settings."""

import re

import phonenumbers
from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from notify.delivery import default_wanted, wanted_channels
from notify.models import Channel, Kind, Notification, Preference, Profile
from org.models import Unit

# phonenumbers finds a number inside any text ("call 9911 2233 after 6"); only a number
# alone is taken, so that what is saved is exactly what the person typed.
NUMBER_ALONE = re.compile(r"^\+?[\d\s\-().]+$")
MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE,
                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


class CentreFilterForm(forms.Form):
    unread = forms.BooleanField(label=_("Unread only"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("Any kind")), *Kind.choices])
    unit = forms.ChoiceField(label=_("Unit"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The units the person has notifications from: nothing else is worth offering.
        units = Unit.objects.filter(
            pk__in=Notification.objects.filter(recipient=user).values("unit")
        ).order_by("code")
        self.fields["unit"].choices = [("", _("Any unit")),
                                       *((unit.code, unit.code) for unit in units)]

    def filter(self, notifications):
        """Narrow the person's notifications to what the form asks for. After is_valid()."""
        data = self.cleaned_data
        if data["unread"]:
            notifications = notifications.unread()
        if data["kind"]:
            notifications = notifications.filter(kind=data["kind"])
        if data["unit"]:
            notifications = notifications.filter(unit__code=data["unit"])
        return notifications


def field_name(channel: str, kind: str) -> str:
    return f"{channel}__{kind.replace('.', '_')}"


class SettingsForm(forms.Form):
    """For each kind, email and text message on or off; the daily digest; the mobile
    number. Only choices that differ from the defaults (notify.rules.DEFAULT_EMAIL) are
    stored, so a person who never changed a kind follows the defaults as they change."""

    daily_digest = forms.BooleanField(
        label=_("One email a day instead of one per notification"), required=False,
        help_text=_("Sent at 17:00 with the number of notifications of each kind."),
    )
    sms_number = forms.CharField(
        label=_("Mobile number for text messages"), required=False, max_length=32,
        help_text=_("A Mongolian mobile number of 8 digits, or + and the country code."),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        profile = Profile.objects.filter(user=user).first()
        wants = wanted_channels([user.pk])
        initial = {
            "daily_digest": bool(profile and profile.daily_digest),
            "sms_number": profile.sms_number if profile else "",
        }
        for kind in Kind.values:
            for channel in Channel.values:
                initial[field_name(channel, kind)] = wants(user.pk, kind, channel)
        super().__init__(*args, initial=initial, **kwargs)
        for kind, label in Kind.choices:
            for channel, channel_label in Channel.choices:
                self.fields[field_name(channel, kind)] = forms.BooleanField(
                    label=f"{label}: {channel_label}", required=False)

    def rows(self):
        """(kind label, email field, text message field), for the table."""
        return [(label, self[field_name(Channel.EMAIL, kind)], self[field_name(Channel.SMS, kind)])
                for kind, label in Kind.choices]

    def clean_sms_number(self):
        raw = (self.cleaned_data.get("sms_number") or "").strip()
        if not raw:
            return ""
        try:
            number = phonenumbers.parse(raw, "MN") if NUMBER_ALONE.match(raw) else None
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise forms.ValidationError(
                _("This is not a valid phone number. Mongolian numbers have 8 digits; "
                  "foreign numbers start with + and the country code."), code="invalid")
        if phonenumbers.number_type(number) not in MOBILE_TYPES:
            raise forms.ValidationError(_("Text messages need a mobile number."),
                                        code="not_mobile")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean(self):
        cleaned = super().clean()
        wants_sms = any(cleaned.get(field_name(Channel.SMS, kind)) for kind in Kind.values)
        if wants_sms and not cleaned.get("sms_number") and "sms_number" not in self.errors:
            self.add_error("sms_number",
                           forms.ValidationError(_("Give a mobile number to receive text "
                                                   "messages."), code="required"))
        return cleaned

    @transaction.atomic
    def save(self) -> None:
        data = self.cleaned_data
        Profile.objects.update_or_create(user=self.user, defaults={
            "daily_digest": data["daily_digest"], "sms_number": data["sms_number"]})
        for kind in Kind.values:
            for channel in Channel.values:
                wanted = data[field_name(channel, kind)]
                if wanted == default_wanted(kind, channel):
                    Preference.objects.filter(user=self.user, kind=kind,
                                              channel=channel).delete()
                else:
                    Preference.objects.update_or_create(
                        user=self.user, kind=kind, channel=channel,
                        defaults={"enabled": wanted})
