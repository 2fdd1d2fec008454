"""The legal clocks: reminders before they run out, and what happens when one does.

Four clocks run on a case, all in the unit's working days (org.calendar):

- REFER: a corruption-related case must be referred on by its triage decision's
  `refer_due`; a referral approved (or further along) stops it.
- AGENCY_ACKNOWLEDGE: a delivered referral should be acknowledged by the agency by its
  `acknowledge_expected_by`.
- ACKNOWLEDGE: the reporter is told the complaint was received by `acknowledge_due`.
- RESOLVE: the case is closed by `resolve_due` (which an extension moves on once).

Each clock takes up to three steps. Step 0 reminds the unit's officers and heads that the
clock is approaching, REMINDER_WORKING_DAYS_AHEAD working days before its due day. A clock is
overdue the day after its due day: step 1 tells the unit's head at once; step 2 tells the
parent unit's head, and puts the case in the parent head's queue, when the head too has let
ESCALATION_WORKING_DAYS more working days go by. A unit with no parent stops at step 1.

`scan` runs hourly (lifecycle/schedules.py) and by hand (`manage.py scan_clocks`). It reads
metadata only, never a sealed column, and may run twice at once, or crash half-way and run
again: each step of each clock is one Escalation row, written in one transaction with its
audit event and its notifications (notify.events, which also queues their emails there),
and the unique constraint on the row, not this code, is what makes the step, and so each
reminder and each email, happen once. What is sent names the clock, the case's reference
and the due day; what the case is about stays behind the sign-in.
"""

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import SYSTEM, record
from intake.models import Complaint, Status
from lifecycle.models import Escalation
from notify.events import emit
from notify.models import Event, Notification
from notify.models import Kind as Notice
from org.calendar import add_working_days, known_through
from org.models import Role, Unit
from routing.models import Referral, ReferralState, TriageDecision
from routing.services import tell

logger = logging.getLogger(__name__)

Clock = Escalation.Clock
APPROACHING, OVERDUE, PARENT = 0, 1, 2  # the steps

# Once a referral has been approved the case is on its way to the agency: the REFER clock
# has been met, even if the package is still in the outbox or the letter not yet posted.
SENT_STATES = (
    ReferralState.APPROVED, ReferralState.AWAITING_LETTER, ReferralState.DELIVERED,
    ReferralState.ACKNOWLEDGED, ReferralState.CONCLUDED,
)


@dataclass(frozen=True)
class Deadline:
    """One clock of one case and the day it is due. Metadata only: enough to remind of it
    or escalate it and to say which it is, nothing of what the case is about."""

    clock: str
    due: date
    complaint_id: int
    reference: str
    unit_id: int
    escalated_to_id: int | None = None
    referral_id: int | None = None
    referral_reference: str = ""

    @property
    def label(self) -> str:
        return Clock(self.clock).label


@dataclass
class ScanSummary:
    """What one scan found and did, in counts; it is also what the task queue keeps as the
    scheduled task's result, so it holds nothing but numbers and the day."""

    today: date
    overdue: Counter = field(default_factory=Counter)  # clock -> overdue items found
    approaching: Counter = field(default_factory=Counter)  # clock -> items due soon
    taken: Counter = field(default_factory=Counter)  # (clock, step) -> steps taken now
    notified: int = 0  # notifications written (each emailed as its recipient prefers)

    def lines(self) -> list[str]:
        lines = [f"clock scan for {self.today.isoformat()}"]
        for clock in Clock.values:
            lines.append(
                f"{clock}: overdue {self.overdue[clock]}, step 1 taken "
                f"{self.taken[clock, OVERDUE]}, step 2 taken {self.taken[clock, PARENT]}, "
                f"approaching {self.approaching[clock]}, reminded "
                f"{self.taken[clock, APPROACHING]}"
            )
        lines.append(f"notifications: {self.notified}")
        return lines

    def __str__(self):
        return "; ".join(self.lines())


# --- finding what is due ----------------------------------------------------------------

def _deadlines(due_lookup: str, bound, complaint_id: int | None = None) -> list[Deadline]:
    """Every running clock whose due day matches `<due field>__<due_lookup>=bound` (of one
    case, given `complaint_id`). Four queries of metadata columns only: the sealed content
    is never fetched, let alone decrypted."""

    def scoped(queryset, path):
        return queryset if complaint_id is None else queryset.filter(**{path: complaint_id})

    def due(column):
        return {f"{column}__{due_lookup}": bound}

    found = []
    sent = Referral.objects.filter(state__in=SENT_STATES).values("complaint_id")
    refer = (
        scoped(TriageDecision.objects.current(), "complaint_id")
        .filter(corruption_related=True, **due("refer_due"))
        .exclude(complaint__status=Status.CLOSED)
        .exclude(complaint_id__in=sent)
        .values_list("complaint_id", "complaint__reference", "complaint__unit_id",
                     "complaint__escalated_to_id", "refer_due")
    )
    for pk, reference, unit_id, escalated_to_id, day in refer:
        found.append(Deadline(Clock.REFER, day, pk, reference, unit_id, escalated_to_id))

    unacknowledged = (
        scoped(Referral.objects.all(), "complaint_id")
        .filter(state=ReferralState.DELIVERED, acknowledged_at__isnull=True,
                **due("acknowledge_expected_by"))
        .values_list("complaint_id", "complaint__reference", "complaint__unit_id",
                     "complaint__escalated_to_id", "acknowledge_expected_by", "pk",
                     "reference")
    )
    for pk, reference, unit_id, escalated_to_id, day, referral_id, referral in unacknowledged:
        found.append(Deadline(Clock.AGENCY_ACKNOWLEDGE, day, pk, reference, unit_id,
                              escalated_to_id, referral_id, referral))

    complaints = scoped(Complaint.objects.open(), "pk")
    columns = ("pk", "reference", "unit_id", "escalated_to_id")
    for pk, reference, unit_id, escalated_to_id, day in complaints.filter(
            acknowledged_at__isnull=True, **due("acknowledge_due"),
    ).values_list(*columns, "acknowledge_due"):
        found.append(Deadline(Clock.ACKNOWLEDGE, day, pk, reference, unit_id, escalated_to_id))
    for pk, reference, unit_id, escalated_to_id, day in complaints.filter(
            **due("resolve_due"),
    ).values_list(*columns, "resolve_due"):
        found.append(Deadline(Clock.RESOLVE, day, pk, reference, unit_id, escalated_to_id))

    order = {clock: index for index, clock in enumerate(Clock.values)}
    return sorted(found, key=lambda item: (order[item.clock], item.due, item.complaint_id,
                                           item.referral_id or 0))


def find_overdue(today: date) -> list[Deadline]:
    """Every clock that has run out on `today`."""
    return _deadlines("lt", today)


def reminder_window_end(today: date, unit: Unit | None) -> date:
    """The last due day that is reminded of on `today`: any day with at most
    REMINDER_WORKING_DAYS_AHEAD working days after today up to and including it. Counted in
    the unit's calendar, so a clock due just after Tsagaan Sar or a weekend is reminded of
    the same number of working days ahead, which is earlier by the calendar."""
    ahead = settings.REMINDER_WORKING_DAYS_AHEAD
    return add_working_days(today, ahead + 1, unit) - timedelta(days=1)


def find_approaching(today: date) -> list[Deadline]:
    """Every clock not yet run out that is due within REMINDER_WORKING_DAYS_AHEAD working
    days of `today`, each unit counted in its own calendar. None when reminders are off."""
    if settings.REMINDER_WORKING_DAYS_AHEAD <= 0:
        return []
    # One wide query first (a unit's own holidays only ever widen its window, and by less
    # than the slack), then each unit's exact window.
    wide = reminder_window_end(today, None) + timedelta(days=30)
    candidates = _deadlines("range", (today, wide))
    units = Unit.objects.in_bulk({item.unit_id for item in candidates})
    window_ends = {pk: reminder_window_end(today, unit) for pk, unit in units.items()}
    return [item for item in candidates if item.due <= window_ends[item.unit_id]]


class CaseClocks(NamedTuple):
    """What the case page says of one case's running clocks."""

    overdue: list[Deadline]  # run out before today
    # Due after the last day the holiday calendar knows (org.calendar.known_through):
    # counted as if next year's lunar new year were working days, so they may move when the
    # holidays are entered.
    provisional: list[Deadline]


def clocks_of_case(complaint: Complaint, today: date | None = None) -> CaseClocks:
    """One case's overdue and provisional clocks, from one reading of its running clocks
    (four queries, and one for the calendar)."""
    today = today or timezone.localdate()
    running = _deadlines("isnull", False, complaint_id=complaint.pk)
    known = known_through(today)
    return CaseClocks(overdue=[item for item in running if item.due < today],
                      provisional=[item for item in running if item.due > known])


def escalations_for(complaint: Complaint):
    """The escalations of one case's clocks, oldest first, with the unit each went to.
    Reminders (step 0) are not escalations: nothing had run out yet."""
    return (
        Escalation.objects.filter(complaint=complaint, step__gte=OVERDUE)
        .select_related("to_unit", "referral")
        .only("clock", "step", "due", "created_at", "complaint_id", "to_unit__code",
              "to_unit__name_mn", "to_unit__name_en", "referral__reference")
        .order_by("created_at", "pk")
    )


def second_step_due(due: date, unit: Unit) -> date:
    """The last day the unit's head has to catch up on a clock that ran out on `due`:
    step 2 is taken the day after, just as step 1 is taken the day after `due`."""
    return add_working_days(due, settings.ESCALATION_WORKING_DAYS, unit)


# --- reminding and escalating -------------------------------------------------------------

def scan(today: date | None = None) -> ScanSummary:
    """Remind of every clock about to run out and escalate every overdue one by the steps it
    has reached and not yet taken. Takes no required argument: the schedule calls it as it
    is.

    The monthly report's deadline (issue 7) is not one of these clocks: it belongs to a unit
    and a month, not to a case, so it cannot be an Escalation row (which names a complaint).
    It will need a record of its own with the same kind of unique constraint, and its
    reminders (Notice.REPORT_*) should be taken here, each in a transaction with that record.
    """
    today = today or timezone.localdate()
    summary = ScanSummary(today=today)
    overdue = find_overdue(today)
    approaching = find_approaching(today)
    summary.overdue.update(item.clock for item in overdue)
    summary.approaching.update(item.clock for item in approaching)
    units = Unit.objects.in_bulk()
    done = set(
        Escalation.objects.filter(
            complaint_id__in={item.complaint_id for item in overdue + approaching})
        .values_list("clock", "complaint_id", "referral_id", "step", "due")
    )
    steps = [(item, APPROACHING, units[item.unit_id]) for item in approaching]
    second_steps: dict[tuple[int, date], date] = {}
    for item in overdue:
        unit = units[item.unit_id]
        steps.append((item, OVERDUE, unit))
        if unit.parent_id is not None:
            key = (unit.pk, item.due)
            if key not in second_steps:
                second_steps[key] = second_step_due(item.due, unit)
            if today > second_steps[key]:
                steps.append((item, PARENT, units[unit.parent_id]))
    for item, step, to_unit in steps:
        if (item.clock, item.complaint_id, item.referral_id, step, item.due) in done:
            continue
        notified = _escalate(item, step, to_unit, units)
        if notified is not None:
            summary.taken[item.clock, step] += 1
            summary.notified += notified
    logger.info("%s", summary)
    return summary


def _escalate(item: Deadline, step: int, to_unit: Unit, units: dict) -> int | None:
    """Take one step of one clock in a transaction of its own, with its audit event and its
    notifications. Returns the number of people notified, or None when the step had already
    been taken (by an earlier scan, or one running alongside)."""
    with transaction.atomic():
        try:
            # A savepoint of its own: on PostgreSQL a failed statement aborts the whole
            # transaction, so the duplicate must be rolled back alone before we go on.
            with transaction.atomic():
                escalation = Escalation.objects.create(
                    clock=item.clock, complaint_id=item.complaint_id,
                    referral_id=item.referral_id, step=step, due=item.due, to_unit=to_unit,
                )
        except IntegrityError:
            return None
        escalated_case = False
        if step == PARENT:
            # The parent's head now sees the case in their own queue
            # (Complaint.objects.for_staff); a case already escalated stays where it is.
            escalated_case = bool(
                Complaint.objects.filter(pk=item.complaint_id, escalated_to__isnull=True)
                .update(escalated_to=to_unit)
            )
        details = {"clock": item.clock, "step": step, "due": item.due.isoformat(),
                   "complaint": item.reference, "to_unit": to_unit.code}
        if step != APPROACHING:
            details["case_escalated"] = escalated_case
        if item.referral_reference:
            details["referral"] = item.referral_reference
        record(actor=SYSTEM,
               action="clock.reminded" if step == APPROACHING else "clock.escalated",
               object_type=Escalation.AUDIT_TYPE, object_id=str(escalation.pk),
               unit=units[item.unit_id], details=details)
        events = _notify(item, step, to_unit, units)
        return Notification.objects.filter(event__in=events).count()


def _notify(item: Deadline, step: int, to_unit: Unit, units: dict) -> list[Event]:
    """Tell the people the step is for, less anyone recused from the case (intake's
    exclusion hook): at step 0 the unit's officers and heads, at step 1 its heads, at step 2
    the parent unit's heads. At steps 0 and 1 the heads of a unit the case was already
    escalated to are told as well (routing.services.tell)."""
    subject = {"complaint": item.complaint_id, "reference": item.reference,
               "clock": item.clock, "step": step, "due": item.due.isoformat()}
    if item.referral_id:
        subject |= {"referral": item.referral_id, "referral_reference": item.referral_reference}
    if step == PARENT:
        return [emit(Notice.CLOCK_OVERDUE, unit=to_unit, subject=subject, roles={Role.HEAD})]
    kind = Notice.CLOCK_APPROACHING if step == APPROACHING else Notice.CLOCK_OVERDUE
    return tell(kind, unit=to_unit, subject=subject,
                escalated_to=units.get(item.escalated_to_id))
