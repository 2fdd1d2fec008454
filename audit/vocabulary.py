"""What the audit trail's codes mean in words, for the people who read it.

Events are stored with codes (`report.approved`, `intake.complaint` 6, `{"late": true}`): the
signed record must not change with the interface's language. Each app that writes events
says, when it loads (its AppConfig.ready), what its codes mean; the auditor's page
(audit.presenting) shows the words, and audit imports none of those apps (the arrows of
DESIGN.md point to audit, not from it).

    from audit import vocabulary as words

    words.register_group("report", _("Monthly reports"))
    words.register_action("report.approved", _("Approved the monthly report"),
                          fields={"version": words.Field(_("Version"), "count")})
    words.register_fields({"report": words.Field(_("Report number"))})
    words.register_object("reporting.monthlyreport", _("Monthly report"), describe=reports)
    words.register_kind("agency", resolve=agency_names)   # all of a page's values at once
    words.register_choices("report_state", State.choices)  # a code and its label
    words.register_finder(find)                            # a reference number -> objects

`describe(ids, reader)` names a page's objects of one type in one go and gives a link only
where `reader` may follow it (the app's own access rule, so no link leads to a 403 or 404).
tests/audit/test_vocabulary.py fails when the code writes an action or a details key that
has no words here.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Field:
    """A key of an event's details: its label and the kind of value it holds (text, bool,
    count, date, month, hash, bytes, person, unit, or a kind an app registered)."""

    label: str
    kind: str = "text"


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    # Keys whose meaning differs in this action from the one registered for every action.
    fields: Mapping[str, Field] = field(default_factory=dict)


@dataclass(frozen=True)
class ReaderUnit:
    code: str
    roles: frozenset


@dataclass(frozen=True)
class Reader:
    """Who is reading the trail: the user and the roles they hold, by unit id (active
    memberships of active units only, as org.access counts them)."""

    user: object
    units: Mapping[int, ReaderUnit]

    def roles_in(self, unit_id) -> frozenset:
        found = self.units.get(unit_id)
        return found.roles if found else frozenset()

    def holds(self, unit_id, roles: Iterable[str]) -> bool:
        return bool(self.roles_in(unit_id) & set(roles))

    def code_of(self, unit_id) -> str:
        return self.units[unit_id].code


@dataclass(frozen=True)
class Named:
    """An object as the page names it, with a link only where the reader may follow it."""

    name: str
    url: str = ""


@dataclass(frozen=True)
class ObjectType:
    label: str
    describe: Callable[[list[str], Reader], dict[str, Named]] | None = None


@dataclass(frozen=True)
class Kind:
    """How values of one kind are put into words: `format` takes one value; `resolve`
    takes every value of the page at once (a query, not one per event) and returns the
    words by value. `code` shows the value as a code (a hash, a key)."""

    format: Callable[[object], str] | None = None
    resolve: Callable[[set], Mapping] | None = None
    code: bool = False


_groups: dict[str, str] = {}
_actions: dict[str, Action] = {}
_fields: dict[str, Field] = {}
_objects: dict[str, ObjectType] = {}
_kinds: dict[str, Kind] = {}
_choices: dict[str, dict[str, str]] = {}
_finders: list[Callable[[str], Mapping[str, Iterable]]] = []


def register_group(prefix: str, label) -> None:
    """The actions whose code starts with `prefix` and a dot, as the filter groups them."""
    _groups[prefix] = label


def register_action(code: str, label, *, fields: Mapping[str, Field] | None = None) -> None:
    _actions[code] = Action(code, label, dict(fields or {}))


def register_fields(fields: Mapping[str, Field]) -> None:
    """Details keys that mean the same in every action that writes them."""
    _fields.update(fields)


def register_object(object_type: str, label, *, describe=None) -> None:
    _objects[object_type] = ObjectType(label, describe)


def register_kind(kind: str, *, format=None, resolve=None, code: bool = False) -> None:
    _kinds[kind] = Kind(format=format, resolve=resolve, code=code)


def register_choices(kind: str, choices) -> None:
    """Codes and their labels (a model's TextChoices.choices, or a dict); registering the
    same kind again adds to it."""
    _choices.setdefault(kind, {}).update(dict(choices))


def register_finder(find: Callable[[str], Mapping[str, Iterable]]) -> None:
    """`find(text)` gives the objects a typed reference number stands for, as ids by object
    type ({"intake.complaint": [6], ...}); an empty mapping when it knows none."""
    if find not in _finders:
        _finders.append(find)


# --- reading the vocabulary -----------------------------------------------------------------

def action(code: str) -> Action | None:
    return _actions.get(code)


def action_codes() -> set[str]:
    return set(_actions)


def action_groups() -> list[tuple[str, str, list[Action]]]:
    """(prefix, label, actions) for every group with an action, in the order registered;
    actions without a group come last under "Other actions"."""
    grouped: dict[str, list[Action]] = {}
    for found in _actions.values():
        grouped.setdefault(found.code.partition(".")[0], []).append(found)
    ordered = [prefix for prefix in _groups if prefix in grouped]
    ordered += sorted(prefix for prefix in grouped if prefix not in _groups)
    return [(prefix, _groups.get(prefix, _("Other actions")), grouped[prefix])
            for prefix in ordered]


def field_for(action_code: str, key: str) -> Field | None:
    found = _actions.get(action_code)
    if found is not None and key in found.fields:
        return found.fields[key]
    return _fields.get(key)


def field_keys() -> set[str]:
    keys = set(_fields)
    for found in _actions.values():
        keys.update(found.fields)
    return keys


def object_type(label: str) -> ObjectType | None:
    return _objects.get(label)


def kind(name: str) -> Kind | None:
    return _kinds.get(name)


def choice(kind_name: str, value) -> str | None:
    """The label of `value` among the registered choices of `kind_name`, if any."""
    found = _choices.get(kind_name, {}).get(value)
    return None if found is None else str(found)


def has_choices(kind_name: str) -> bool:
    return kind_name in _choices


def objects_for_reference(text: str) -> dict[str, set[str]]:
    """Every object the registered finders take `text` to stand for, ids as text."""
    found: dict[str, set[str]] = {}
    for find in _finders:
        for label, ids in find(text).items():
            found.setdefault(label, set()).update(str(pk) for pk in ids)
    return found
