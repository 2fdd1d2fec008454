from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import ActorKind


class DateInput(forms.DateInput):
    input_type = "date"


class EventFilterForm(forms.Form):
    """Filters for the auditor's list of events. Dates are local (Ulaanbaatar) days."""

    unit = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Unit"), empty_label=_("All my units"),
        help_text=_("A unit includes the units under it."),
    )
    actor_kind = forms.ChoiceField(
        choices=[("", _("Anyone")), *ActorKind.choices], required=False, label=_("Actor kind")
    )
    actor = forms.CharField(required=False, max_length=150, label=_("Staff member (username)"))
    action = forms.CharField(
        required=False, max_length=100, label=_("Action"),
        help_text=_("The beginning is enough: “content.” finds every action on content."),
    )
    object_type = forms.CharField(
        required=False, max_length=100, label=_("Object type"),
        help_text=_("For example intake.complaint"),
    )
    object_id = forms.CharField(required=False, max_length=64, label=_("Object id"))
    date_from = forms.DateField(required=False, label=_("From"), widget=DateInput)
    date_to = forms.DateField(required=False, label=_("To"), widget=DateInput)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The first day comes after the last day."))
        return cleaned

    def filter(self, events):
        """Narrow a queryset of events to what the form asks for. Call after is_valid()."""
        data = self.cleaned_data
        if data["unit"] is not None:
            events = events.in_units(data["unit"].descendant_ids())
        if data["actor_kind"]:
            events = events.filter(actor_kind=data["actor_kind"])
        if data["actor"]:
            events = events.by_actor(data["actor"].strip())
        if data["action"]:
            events = events.filter(action__startswith=data["action"].strip())
        if data["object_type"]:
            events = events.filter(object_type=data["object_type"].strip())
        if data["object_id"]:
            events = events.filter(object_id=data["object_id"].strip())
        zone = timezone.get_current_timezone()
        if data["date_from"]:
            events = events.since(datetime.combine(data["date_from"], time.min, tzinfo=zone))
        if data["date_to"]:
            next_day = data["date_to"] + timedelta(days=1)
            events = events.before(datetime.combine(next_day, time.min, tzinfo=zone))
        return events
