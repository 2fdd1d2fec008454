import re
from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import vocabulary
from audit.chain import canonical_json
from audit.models import ActorKind
from core.choices import ShortChoiceField
from core.dates import DayField
from org.models import Membership, Role
from org.naming import staff_title

# A reference number as people write it: DG-2026-00006, DG-2026-00006-R1, DG-T-2026-10, 2026.10.
REFERENCE = re.compile(r"^[\w./-]{1,64}$")


class PersonChoiceField(ShortChoiceField):
    """Staff by name and position; `titles` holds each one's position (or role) by id. Read
    in one query: every one of them is written into the page's list anyway."""

    titles: dict = {}

    def label_from_instance(self, user):
        return staff_title(user, self.titles.get(user.pk, ""))


def action_choices() -> list:
    """The labelled actions, grouped by what they act on; each group opens with a choice of
    every action in it (its code prefix, "report.")."""
    choices = [("", _("Any action"))]
    for prefix, label, actions in vocabulary.action_groups():
        group = [(f"{prefix}.", _("All: %(group)s") % {"group": label})]
        group += [(found.code, found.label) for found in actions]
        choices.append((label, group))
    return choices


class EventFilterForm(forms.Form):
    """Filters for the auditor's list of events. Dates are local (Ulaanbaatar) days."""

    unit = ShortChoiceField(
        queryset=None, required=False, label=_("Unit"), empty_label=_("All my units"),
        help_text=_("A unit includes the units under it."),
    )
    action = forms.ChoiceField(choices=(), required=False, label=_("What was done"))
    reference = forms.CharField(
        required=False, max_length=64, label=_("Reference number"),
        help_text=_("A complaint's, referral's or report's number, or a report's month: "
                    "DG-2026-00006, 2026.10."),
    )
    actor_kind = forms.ChoiceField(
        choices=[("", _("Anyone")), *ActorKind.choices], required=False, label=_("Who acted")
    )
    actor = PersonChoiceField(queryset=None, required=False, label=_("Staff member"),
                              empty_label=_("Any staff member"))
    date_from = DayField(required=False, label=_("From"))
    date_to = DayField(required=False, label=_("To"))

    def __init__(self, *args, units, people_units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["action"].choices = action_choices()
        # Everyone who holds or held a role in these units (the head of a unit above acts
        # on a case escalated to it), each once, under their current position or role.
        held = Membership.objects.filter(
            unit__in=units if people_units is None else people_units)
        actor = self.fields["actor"]
        actor.queryset = (get_user_model().objects.filter(pk__in=held.values("user_id"))
                          .order_by("first_name", "last_name", "pk"))
        actor.titles = _titles(held)

    def clean_reference(self):
        text = self.cleaned_data["reference"].strip()
        if text and not REFERENCE.match(text):
            raise forms.ValidationError(
                _("Write the number as it is printed, for example DG-2026-00006."),
                code="reference")
        return text

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
        if data["actor"] is not None:
            events = events.filter(actor_kind=ActorKind.STAFF, actor_user=data["actor"])
        if data["action"]:
            events = (events.filter(action__startswith=data["action"])
                      if data["action"].endswith(".") else events.filter(action=data["action"]))
        if data["reference"]:
            events = events.filter(about_reference(data["reference"]))
        zone = timezone.get_current_timezone()
        if data["date_from"]:
            events = events.since(datetime.combine(data["date_from"], time.min, tzinfo=zone))
        if data["date_to"]:
            next_day = data["date_to"] + timedelta(days=1)
            events = events.before(datetime.combine(next_day, time.min, tzinfo=zone))
        return events


def _titles(memberships) -> dict[int, str]:
    """Each person's position, or their role, preferring an active membership. Read only
    when the list of people is drawn, and then in one query."""
    roles = dict(Role.choices)
    titles: dict[int, str] = {}
    for user_id, role, position in (memberships.order_by("-is_active", "pk")
                                    .values_list("user_id", "role", "position")):
        titles.setdefault(user_id, position or str(roles.get(role, "")))
    return titles


def _stored(text: str) -> str:
    """`text` as the details store a value: "DG-2026-00006", quotes included."""
    return canonical_json([text])[1:-1]


def about_reference(text: str) -> Q:
    """Events about what `text` numbers: the objects the apps' finders know by it, and any
    event whose details hold it as a value."""
    found = Q(details__contains=_stored(text)) | Q(details__contains=_stored(text.upper()))
    for object_type, ids in vocabulary.objects_for_reference(text).items():
        if ids:
            found |= Q(object_type=object_type, object_id__in=ids)
    return found
