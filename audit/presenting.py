"""The audit trail as a person reads it: each event's action in words, its object by the
name people use (DG-2026-00006, a referral's number, a report's month) with a link where the
reader may follow it, its details as labelled values, and people by name and position.

The words come from audit.vocabulary, where each app registered its own. A page of events is
put into words with a fixed number of queries, however many events it holds: the people, the
units, each type of object and each kind of value are looked up once for the whole page.
"""

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from audit import vocabulary
from audit.models import ActorKind, AuditEvent
from audit.vocabulary import Field, Named, Reader, ReaderUnit
from org.models import Membership, Role
from org.naming import staff_title

NOTHING = "—"
SHORT_CODE = 12  # characters of a long hash or key shown in the details
HIDDEN = "hidden"  # an id that another value of the details already names
EXISTS = "exists"  # shown as whether there is one: Yes or No
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Detail:
    label: str
    value: str = ""
    code: bool = False  # shown as a code: a hash, a key
    full: str = ""  # the whole of a long code shown shortened
    parts: tuple["Detail", ...] = ()  # a value that is itself a set of labelled values


@dataclass(frozen=True)
class Shown:
    """One event as the page shows it."""

    event: AuditEvent
    when: datetime
    actor: str
    by_person: bool  # False for the system and the anonymous reporter
    action: str
    action_known: bool
    object_kind: str
    object: Named | None
    details: list[Detail]
    raw: str


def reader_for(user) -> Reader:
    """The roles `user` holds, by unit, in one query."""
    units: dict[int, tuple[str, set]] = {}
    for unit_id, code, role in (Membership.objects.active()
                                .filter(user=user, unit__is_active=True)
                                .values_list("unit_id", "unit__code", "role")):
        units.setdefault(unit_id, (code, set()))[1].add(role)
    return Reader(user=user, units={unit_id: ReaderUnit(code, frozenset(roles))
                                    for unit_id, (code, roles) in units.items()})


def present(events, reader: Reader) -> list[Shown]:
    events = list(events)
    details = {event.seq: event.details_dict for event in events}
    fields = {event.seq: _fields_of(event.action, details[event.seq]) for event in events}
    people = _People(_person_ids(events, details, fields))
    objects = _objects(events, reader)
    resolved = _resolved(details, fields)
    shown = []
    for event in events:
        found = vocabulary.action(event.action)
        named = objects.get((event.object_type, event.object_id))
        words = _Words(people, resolved, event.unit_id)
        said = [words.detail(field, details[event.seq][key]) for key, field in fields[event.seq]]
        shown.append(Shown(
            event=event, when=event.when,
            actor=_actor(event, people), by_person=event.actor_kind == ActorKind.STAFF,
            action=str(found.label) if found else event.action, action_known=found is not None,
            object_kind=_object_kind(event.object_type), object=named,
            # A number the object column already shows is not repeated.
            details=[detail for detail in said if not named or detail.value != named.name],
            raw=raw_record(event),
        ))
    return shown


def raw_record(event: AuditEvent) -> str:
    """The event as stored, every signed column, its details parsed: pretty-printed JSON."""
    try:
        details = event.details_dict
    except ValueError:
        details = event.details
    return json.dumps({
        "seq": event.seq, "occurred_at": event.occurred_at, "actor_kind": event.actor_kind,
        "actor_user": event.actor_user_id, "actor_label": event.actor_label,
        "action": event.action, "object_type": event.object_type,
        "object_id": event.object_id, "unit": event.unit_id, "details": details,
        "key_version": event.key_version, "prev_hash": event.prev_hash, "mac": event.mac,
    }, indent=2, ensure_ascii=False)


# --- the parts of the page looked up once -----------------------------------------------------

def _fields_of(action_code: str, details: dict) -> list[tuple[str, Field]]:
    """The event's details keys with their fields: the registered ones first, in the order
    registered for the action, then the others under a label made from the key."""
    found = vocabulary.action(action_code)
    order = list(found.fields) if found else []
    keys = sorted(details, key=lambda key: order.index(key) if key in order else len(order))
    pairs = [(key, vocabulary.field_for(action_code, key) or Field(_readable(key)))
             for key in keys]
    return [(key, field) for key, field in pairs if field.kind != HIDDEN]


def _readable(key: str) -> str:
    return capfirst(str(key).replace("_", " ").strip()) or "?"


def _person_ids(events, details, fields) -> set[int]:
    ids = {event.actor_user_id for event in events if event.actor_user_id}
    for seq, pairs in fields.items():
        for key, field in pairs:
            if field.kind == "person":
                ids.update(value for value in _items(details[seq][key])
                           if isinstance(value, int) and not isinstance(value, bool))
    return ids


def _items(value) -> list:
    return list(value) if isinstance(value, list | tuple) else [value]


def _resolved(details: dict, fields: dict) -> dict[str, dict]:
    """Every value of a kind that is looked up all at once (agencies, categories, units),
    put into words with one call per kind."""
    wanted: dict[str, set] = defaultdict(set)
    for seq, pairs in fields.items():
        for key, field in pairs:
            kind = vocabulary.kind(field.kind)
            if kind is not None and kind.resolve is not None:
                wanted[field.kind].update(value for value in _items(details[seq][key])
                                          if isinstance(value, str | int) and value != "")
    return {name: dict(vocabulary.kind(name).resolve(values)) for name, values in wanted.items()}


def _objects(events, reader: Reader) -> dict[tuple[str, str], Named]:
    ids: dict[str, list[str]] = defaultdict(list)
    for event in events:
        if event.object_type and event.object_id and event.object_id not in ids[event.object_type]:
            ids[event.object_type].append(event.object_id)
    found = {}
    for label, wanted in ids.items():
        registered = vocabulary.object_type(label)
        named = registered.describe(wanted, reader) if registered and registered.describe else {}
        for pk in wanted:
            found[label, pk] = named.get(pk) or Named(_("No. %(id)s") % {"id": pk})
    return found


def _object_kind(label: str) -> str:
    """What kind of thing the object is: as its app registered it, or the model's own name."""
    if not label:
        return ""
    registered = vocabulary.object_type(label)
    if registered is not None:
        return str(registered.label)
    try:
        return capfirst(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return _("Record")


def _actor(event: AuditEvent, people: "_People") -> str:
    if event.actor_kind == ActorKind.STAFF:
        return people.title(event.actor_user_id, event.unit_id) or event.actor_label
    return str(ActorKind(event.actor_kind).label)


class _People:
    """Staff by name and position (or role), from two queries for a whole page."""

    def __init__(self, ids: set[int]):
        self.users = {user.pk: user for user in get_user_model().objects.filter(pk__in=ids)
                      .only("pk", "username", "first_name", "last_name")} if ids else {}
        self.titles: dict[int, list[tuple[int, str]]] = defaultdict(list)
        if ids:
            roles = dict(Role.choices)
            for user_id, unit_id, role, position in (
                Membership.objects.filter(user_id__in=ids).order_by("-is_active", "pk")
                .values_list("user_id", "unit_id", "role", "position")
            ):
                self.titles[user_id].append((unit_id, position or str(roles.get(role, ""))))

    def title(self, user_id, unit_id=None) -> str:
        user = self.users.get(user_id)
        if user is None:
            return ""
        held = self.titles.get(user_id, [])
        in_unit = [title for unit, title in held if unit == unit_id]
        return staff_title(user, (in_unit or [title for _unit, title in held] or [""])[0])


class _Words:
    """Puts one event's details into words."""

    def __init__(self, people: _People, resolved: dict, unit_id):
        self.people, self.resolved, self.unit_id = people, resolved, unit_id

    def detail(self, field: Field, value) -> Detail:
        kind = vocabulary.kind(field.kind)
        if isinstance(value, dict) and not (kind and kind.format):
            parts = tuple(self.detail(Field(_readable(key)), item) for key, item in value.items())
            return Detail(str(field.label), parts=parts)
        items = [self.value(field.kind, item)
                 for item in ([value] if isinstance(value, dict) else _items(value))]
        # Items that hold a comma themselves ("name, contacts") are kept apart with ";".
        text = ("; " if any("," in item for item in items) else ", ").join(items) or NOTHING
        if kind and kind.code and len(text) > SHORT_CODE + 4:
            # A hash is compared by its first characters; the raw record has all of it.
            return Detail(str(field.label), f"{text[:SHORT_CODE]}…", code=True, full=text)
        return Detail(str(field.label), text, code=bool(kind and kind.code))

    def value(self, kind_name: str, value) -> str:
        if kind_name == EXISTS:
            value = value not in (None, "", 0, False)
        if value is None or value == "":
            return NOTHING
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if kind_name == "person" and isinstance(value, int):
            return self.people.title(value) or _("No. %(id)s") % {"id": value}
        if vocabulary.has_choices(kind_name):
            return vocabulary.choice(kind_name, value) or str(value)
        kind = vocabulary.kind(kind_name)
        if kind is not None and kind.resolve is not None:
            return str(self.resolved.get(kind_name, {}).get(value, value))
        if kind is not None and kind.format is not None:
            return str(kind.format(value))
        return plain(value)


def plain(value) -> str:
    """A value with no kind of its own: a number with its digits grouped, a day or a month
    as the language writes it, anything else as it is."""
    if isinstance(value, int | float):
        return formats.number_format(value, force_grouping=True)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    if ISO_DAY.match(text):
        return day(text)
    return text


def day(text: str) -> str:
    try:
        return formats.date_format(date.fromisoformat(text), "SHORT_DATE_FORMAT")
    except ValueError:
        return text


def month(text: str) -> str:
    found = ISO_MONTH.match(str(text))
    if not found or not 1 <= int(found.group(2)) <= 12:
        return str(text)
    return formats.date_format(date(int(found.group(1)), int(found.group(2)), 1),
                               "YEAR_MONTH_FORMAT")


def moment(value) -> str:
    """An aware datetime, or ISO text of one, as local time the language's way."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if timezone.is_naive(value):
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def size(value) -> str:
    return filesizeformat(value) if isinstance(value, int) else str(value)
