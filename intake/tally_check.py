"""The nightly check of the reports' counters (intake.tallies) against the records.

Every night the counters of the recent months are counted again from the rows; the rows are
what the records say, so a counter that differs is put right. A difference means something
wrote a figure behind the workflows' back (a hand-made UPDATE, a restore that mixed two
dates, a bug): each one is kept in the audit trail (unit, month, figure, both counts) and the
administrators are told, naming the unit, the month and the figure and nothing of any
complaint. `manage.py tallies_check` does the same for any months, by hand.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import vocabulary as words
from audit.services import SYSTEM, record
from audit.vocabulary import Field
from intake.tallies import Tallies, month_of, tallies_add, tallies_recount, tallies_stored
from notify.events import emit
from notify.models import Kind
from notify.rules import SUBJECT_TEXT_MAX
from org.models import Membership, Role, Unit

RECENT_MONTHS = 3  # this month and the two before: what reports are still drafted from
ALERTS_MAX = 20  # a run tells the administrators of this many differences at most
ACTION = "tally.differed"


@dataclass(frozen=True)
class Difference:
    unit_id: int
    month: date
    key: str
    kept: int
    counted: int


def recent_months(today: date | None = None) -> tuple[date, date]:
    last = month_of(today or timezone.localdate())
    first = last
    for _step in range(RECENT_MONTHS - 1):
        first = month_of(first - timedelta(days=1))
    return first, last


def tallies_compare(*, first: date | None = None, last: date | None = None) -> list[Difference]:
    """Each counter from month `first` to `last` (all months if None) that is not what the
    rows give, in (unit, month, key) order."""
    counted = tallies_recount(first=first, last=last)
    kept = tallies_stored(first=first, last=last)
    return [Difference(unit_id, month, key, kept[(unit_id, month, key)],
                       counted[(unit_id, month, key)])
            for unit_id, month, key in sorted(set(counted) | set(kept))
            if kept[(unit_id, month, key)] != counted[(unit_id, month, key)]]


@transaction.atomic
def tallies_check(*, first: date | None = None, last: date | None = None,
                  repair: bool = True) -> list[Difference]:
    """Compare, and on any difference: an audit event for each, the administrators told,
    and (with `repair`) the counters set to what the rows give, all in one transaction."""
    differences = tallies_compare(first=first, last=last)
    if not differences:
        return differences
    units = Unit.objects.in_bulk({difference.unit_id for difference in differences})
    admins = list(Unit.objects.filter(pk__in=Membership.objects.active().filter(
        role=Role.ADMIN).values("unit_id")).order_by("pk"))
    for number, difference in enumerate(differences):
        unit, month = units[difference.unit_id], f"{difference.month:%Y-%m}"
        record(actor=SYSTEM, action=ACTION, object_type="intake.tally",
               object_id=f"{unit.code}/{month}"[:64], unit=unit,
               details={"month": month, "figure": difference.key, "kept": difference.kept,
                        "counted": difference.counted, "repaired": repair})
        if number < ALERTS_MAX:
            emit(Kind.TALLY_MISMATCH, unit=unit, also_units=admins,
                 subject={"month": month, "unit_code": unit.code,
                          "figure": difference.key[:SUBJECT_TEXT_MAX]})
    if repair:
        tallies_add(Tallies({(d.unit_id, d.month, d.key): d.counted - d.kept
                             for d in differences}))
    return differences


def tallies_check_recent() -> str:
    """The nightly task's work: the recent months, put right."""
    first, last = recent_months()
    differences = tallies_check(first=first, last=last)
    return (f"{len(differences)} counter(s) differed from the records in "
            f"{first:%Y-%m}..{last:%Y-%m}, now put right" if differences
            else f"counters of {first:%Y-%m}..{last:%Y-%m} match the records")


def register_terms() -> None:
    """The words for the check's audit event (audit.vocabulary)."""
    words.register_group("tally", _("Report counters"))
    words.register_action(ACTION, _("Found a report counter that differed from the records"),
                          fields={"month": Field(_("Month"), "month"),
                                  "figure": Field(_("Figure")),
                                  "kept": Field(_("Counter"), "count"),
                                  "counted": Field(_("Counted from the records"), "count"),
                                  "repaired": Field(_("Put right"), "bool")})
    words.register_object("intake.tally", _("Report counter"))
