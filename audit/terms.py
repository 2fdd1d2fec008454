"""The audit trail's own words (audit.vocabulary): the kinds of value every app's details
use, the events audit writes itself, and the units that events may be about.

The other apps register theirs from their own `audit_terms.py`, when they load."""

from django.utils.translation import gettext_lazy as _

from audit import presenting
from audit import vocabulary as words
from audit.services import READ_ACTION
from audit.verification import Damage
from audit.vocabulary import Field, Named
from org.models import Unit

VERIFY_ACTION = "audit.verify"


def register() -> None:
    words.register_kind("count", format=presenting.plain)
    words.register_kind("date", format=presenting.day)
    words.register_kind("month", format=presenting.month)
    words.register_kind("moment", format=presenting.moment)
    words.register_kind("bytes", format=presenting.size)
    words.register_kind("hash", code=True)
    words.register_kind("unit", resolve=unit_names)
    words.register_choices("damage", Damage.choices)

    words.register_group("content", _("Reading sealed content"))
    words.register_group("audit", _("Audit trail"))
    words.register_action(READ_ACTION, _("Read sealed content"))
    words.register_action(VERIFY_ACTION, _("Verified the audit trail"), fields={
        "ok": Field(_("Intact"), "bool"),
        "checked": Field(_("Events checked"), "count"),
        "checkpoints": Field(_("Checkpoints checked"), "count"),
        "first_bad_seq": Field(_("First damaged event"), "count"),
        "damage": Field(_("Damage"), "damage"),
    })
    # What a reading or a damage names: the parts of a record, which each app registers
    # under the kind "content" (words.register_choices("content", {...})).
    words.register_fields({"fields": Field(_("Parts"), "content")})
    words.register_object("org.unit", _("Unit"), describe=describe_units)


def unit_names(codes: set) -> dict[str, str]:
    return {unit.code: unit.name for unit in Unit.objects.filter(code__in=codes)}


def describe_units(ids: list[str], reader) -> dict[str, Named]:
    found = Unit.objects.filter(pk__in=[pk for pk in ids if pk.isdigit()])
    return {str(unit.pk): Named(unit.name) for unit in found}
