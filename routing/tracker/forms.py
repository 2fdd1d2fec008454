"""The filters of the head's referral tracker. They read metadata only; nothing is decrypted.

The same form filters the page and its CSV export, so a download holds exactly the rows the
head was looking at.
"""

from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.choices import ShortChoiceField
from intake.fields import DayField
from org.models import Unit
from outbox.models import Agency
from routing.models import Referral, ReferralState


def referral_label(name: str):
    """A referral field's own (translated) name, for a label or a column heading."""
    return capfirst(Referral._meta.get_field(name).verbose_name)


class UnitChoiceField(ShortChoiceField):
    def label_from_instance(self, unit):
        return f"{unit.code} · {unit.name}"


class TrackerFilterForm(forms.Form):
    """Narrows the referrals of a unit (and of the units below it) by state, agency, unit,
    the day they were prepared and whether a deadline has passed.

    Agencies and units are chosen by their codes, which is what the query string shows; a
    code outside the unit's own tree is an invalid choice like any other."""

    state = forms.ChoiceField(label=referral_label("state"), required=False,
                              choices=[("", _("Any state")), *ReferralState.choices])
    agency = ShortChoiceField(
        label=referral_label("agency"), required=False, to_field_name="code",
        queryset=Agency.objects.only("code", "name_mn", "name_en").order_by("code"),
        empty_label=_("Any agency"),
    )
    unit = UnitChoiceField(
        label=referral_label("unit"), required=False, to_field_name="code",
        queryset=Unit.objects.none(), empty_label=_("This unit and the units below it"),
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    prepared_from = DayField(label=_("Prepared from"))
    prepared_to = DayField(label=_("Prepared until"))

    def __init__(self, *args, unit_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        if len(unit_ids) > 1:
            self.fields["unit"].queryset = (Unit.objects.filter(pk__in=unit_ids)
                                            .only("code", "name_mn", "name_en")
                                            .order_by("code"))
        else:
            # A unit with nothing below it has nothing to choose between.
            del self.fields["unit"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("prepared_from"), cleaned.get("prepared_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The first day comes after the last day."))
        return cleaned

    def filter(self, referrals, *, overdue: Q):
        """Narrow a queryset of referrals to what the form asks for; `overdue` is the
        tracker's rule for a passed deadline. Call after is_valid()."""
        data = self.cleaned_data
        if data["state"]:
            referrals = referrals.filter(state=data["state"])
        if data["agency"]:
            referrals = referrals.filter(agency=data["agency"])
        if data.get("unit"):
            referrals = referrals.filter(unit=data["unit"])
        if data["overdue"]:
            referrals = referrals.filter(overdue)
        # Days are Ulaanbaatar days, whatever the server's clock says.
        zone = timezone.get_current_timezone()
        if data["prepared_from"]:
            referrals = referrals.filter(prepared_at__gte=datetime.combine(
                data["prepared_from"], time.min, tzinfo=zone))
        if data["prepared_to"]:
            next_day = data["prepared_to"] + timedelta(days=1)
            referrals = referrals.filter(
                prepared_at__lt=datetime.combine(next_day, time.min, tzinfo=zone))
        return referrals
