"""The legal clocks, and what happens when one runs out.

Four clocks run on a case, all in the unit's working days (org.calendar):

- REFER: a corruption-related case must be referred on by its triage decision's
  `refer_due`; a referral approved (or further along) stops it.
- AGENCY_ACKNOWLEDGE: a delivered referral should be acknowledged by the agency by its
  `acknowledge_expected_by`.
- ACKNOWLEDGE: the reporter is told the complaint was received by `acknowledge_due`.
- RESOLVE: the case is closed by `resolve_due` (which an extension moves on once).

A clock is overdue the day after its due day. Then it escalates in two steps: step 1 tells
the unit's head at once; step 2 tells the parent unit's head, and puts the case in the parent
head's queue, when the head too has let ESCALATION_WORKING_DAYS more working days go by. A
unit with no parent stops at step 1.

`scan` runs hourly (routing/schedules.py) and by hand (`manage.py scan_clocks`). It reads
metadata only, never a sealed column, and may run twice at once, or crash half-way and run
again: each step of each clock is one Escalation row, and the unique constraint on it, not
this code, is what makes the step happen once. The emails it sends say only that a deadline
needs attention, with a link to the case for someone who signs in.
"""

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import SYSTEM, record
from intake.models import Complaint, Recusal, Status
from org.calendar import add_working_days
from org.models import Membership, Role, Unit
from routing.models import Escalation, Referral, ReferralState, TriageDecision

logger = logging.getLogger(__name__)

Clock = Escalation.Clock

# Once a referral has been approved the case is on its way to the agency: the REFER clock
# has been met, even if the package is still in the outbox or the letter not yet posted.
SENT_STATES = (
    ReferralState.APPROVED, ReferralState.AWAITING_LETTER, ReferralState.DELIVERED,
    ReferralState.ACKNOWLEDGED, ReferralState.CONCLUDED,
)


@dataclass(frozen=True)
class Overdue:
    """One clock of one case that has run out. Metadata only: enough to escalate it and
    to say which it is, nothing of what the case is about."""

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
    taken: Counter = field(default_factory=Counter)  # (clock, step) -> steps taken now
    emails: int = 0

    def lines(self) -> list[str]:
        lines = [f"clock scan for {self.today.isoformat()}"]
        for clock in Clock.values:
            lines.append(
                f"{clock}: overdue {self.overdue[clock]}, step 1 taken "
                f"{self.taken[clock, 1]}, step 2 taken {self.taken[clock, 2]}"
            )
        lines.append(f"emails: {self.emails}")
        return lines

    def __str__(self):
        return "; ".join(self.lines())


# --- finding what is overdue ---------------------------------------------------------------

def find_overdue(today: date, complaint_id: int | None = None) -> list[Overdue]:
    """Every overdue clock on `today` (of one case, given `complaint_id`). Four queries of
    metadata columns only: the sealed content is never fetched, let alone decrypted."""

    def scoped(queryset, path):
        return queryset if complaint_id is None else queryset.filter(**{path: complaint_id})

    found = []
    sent = Referral.objects.filter(state__in=SENT_STATES).values("complaint_id")
    refer = (
        scoped(TriageDecision.objects.current(), "complaint_id")
        .filter(corruption_related=True, refer_due__lt=today)
        .exclude(complaint__status=Status.CLOSED)
        .exclude(complaint_id__in=sent)
        .values_list("complaint_id", "complaint__reference", "complaint__unit_id",
                     "complaint__escalated_to_id", "refer_due")
    )
    for pk, reference, unit_id, escalated_to_id, due in refer:
        found.append(Overdue(Clock.REFER, due, pk, reference, unit_id, escalated_to_id))

    unacknowledged = (
        scoped(Referral.objects.all(), "complaint_id")
        .filter(state=ReferralState.DELIVERED, acknowledge_expected_by__lt=today,
                acknowledged_at__isnull=True)
        .values_list("complaint_id", "complaint__reference", "complaint__unit_id",
                     "complaint__escalated_to_id", "acknowledge_expected_by", "pk",
                     "reference")
    )
    for pk, reference, unit_id, escalated_to_id, due, referral_id, referral in unacknowledged:
        found.append(Overdue(Clock.AGENCY_ACKNOWLEDGE, due, pk, reference, unit_id,
                             escalated_to_id, referral_id, referral))

    complaints = scoped(Complaint.objects.open(), "pk")
    columns = ("pk", "reference", "unit_id", "escalated_to_id")
    for pk, reference, unit_id, escalated_to_id, due in complaints.filter(
            acknowledged_at__isnull=True, acknowledge_due__lt=today,
    ).values_list(*columns, "acknowledge_due"):
        found.append(Overdue(Clock.ACKNOWLEDGE, due, pk, reference, unit_id, escalated_to_id))
    for pk, reference, unit_id, escalated_to_id, due in complaints.filter(
            resolve_due__lt=today,
    ).values_list(*columns, "resolve_due"):
        found.append(Overdue(Clock.RESOLVE, due, pk, reference, unit_id, escalated_to_id))

    order = {clock: index for index, clock in enumerate(Clock.values)}
    return sorted(found, key=lambda item: (order[item.clock], item.due, item.complaint_id,
                                           item.referral_id or 0))


def overdue_clocks(complaint: Complaint, today: date | None = None) -> list[Overdue]:
    """The clocks of one case that have run out, for the case page."""
    return find_overdue(today or timezone.localdate(), complaint_id=complaint.pk)


def escalations_for(complaint: Complaint):
    """The steps taken on one case's clocks, oldest first, with the unit each went to."""
    return (
        Escalation.objects.filter(complaint=complaint)
        .select_related("to_unit", "referral")
        .only("clock", "step", "due", "created_at", "complaint_id", "to_unit__code",
              "to_unit__name_mn", "to_unit__name_en", "referral__reference")
        .order_by("created_at", "pk")
    )


def second_step_due(due: date, unit: Unit) -> date:
    """The last day the unit's head has to catch up on a clock that ran out on `due`:
    step 2 is taken the day after, just as step 1 is taken the day after `due`."""
    return add_working_days(due, settings.ESCALATION_WORKING_DAYS, unit)


# --- escalating --------------------------------------------------------------------------

def scan(today: date | None = None) -> ScanSummary:
    """Escalate every overdue clock by the steps it has reached and not yet taken. Takes no
    required argument: the schedule calls it as it is."""
    today = today or timezone.localdate()
    summary = ScanSummary(today=today)
    found = find_overdue(today)
    summary.overdue.update(item.clock for item in found)
    units = Unit.objects.in_bulk()
    done = set(
        Escalation.objects.filter(complaint_id__in={item.complaint_id for item in found})
        .values_list("clock", "complaint_id", "referral_id", "step", "due")
    )
    second_steps: dict[tuple[int, date], date] = {}
    for item in found:
        unit = units[item.unit_id]
        steps = [(1, unit)]
        if unit.parent_id is not None:
            key = (unit.pk, item.due)
            if key not in second_steps:
                second_steps[key] = second_step_due(item.due, unit)
            if today > second_steps[key]:
                steps.append((2, units[unit.parent_id]))
        for step, to_unit in steps:
            if (item.clock, item.complaint_id, item.referral_id, step, item.due) in done:
                continue
            emails = _escalate(item, step, to_unit, units)
            if emails is not None:
                summary.taken[item.clock, step] += 1
                summary.emails += emails
    logger.info("%s", summary)
    return summary


def _escalate(item: Overdue, step: int, to_unit: Unit, units: dict) -> int | None:
    """Take one step of one clock in a transaction of its own, with its audit event, and
    email the heads once it has committed. Returns the number of emails queued, or None when
    the step had already been taken (by an earlier scan, or one running alongside)."""
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
        if step == 2:
            # The parent's head now sees the case in their own queue
            # (intake.views_case._cases_of); a case already escalated stays where it is.
            escalated_case = bool(
                Complaint.objects.filter(pk=item.complaint_id, escalated_to__isnull=True)
                .update(escalated_to=to_unit)
            )
        details = {"clock": item.clock, "step": step, "due": item.due.isoformat(),
                   "complaint": item.reference, "to_unit": to_unit.code,
                   "case_escalated": escalated_case}
        if item.referral_reference:
            details["referral"] = item.referral_reference
        record(actor=SYSTEM, action="clock.escalated", target=escalation,
               unit=units[item.unit_id], details=details)
        messages = _messages(item, step, to_unit, units)
        if messages:
            transaction.on_commit(partial(_send, messages), robust=True)
    return len(messages)


def _heads(item: Overdue, step: int, to_unit: Unit, units: dict) -> list[tuple[str, Unit]]:
    """Who is told, and from which unit they open the case: the active heads of the unit
    the step goes to, less anyone recused from the case. At step 1 the heads of a unit the
    case was already escalated to are told as well: the case was put there because the
    unit's own head may not handle it, so telling only them would tell no one."""
    unit_ids = [to_unit.pk]
    if step == 1 and item.escalated_to_id and item.escalated_to_id != to_unit.pk:
        unit_ids.append(item.escalated_to_id)
    recused = Recusal.objects.filter(complaint_id=item.complaint_id).values("user_id")
    rows = (
        Membership.objects.active()
        .filter(unit_id__in=unit_ids, role=Role.HEAD)
        .exclude(user_id__in=recused)
        .exclude(user__email="")
        .values_list("user__email", "unit_id")
    )
    heads: dict[str, Unit] = {}
    for email, unit_id in sorted(rows, key=lambda row: unit_ids.index(row[1])):
        heads.setdefault(email, units[unit_id])
    return list(heads.items())


def case_link(unit: Unit, reference: str) -> str:
    """The case page as a head of `unit` opens it (a parent's head under their own unit,
    which the case's escalated_to lets them do)."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("intake:case", kwargs={"unit_code": unit.code, "reference": reference})
    return settings.SITE_URL + path


def _messages(item: Overdue, step: int, to_unit: Unit, units: dict) -> list[EmailMessage]:
    """One email per head. Content-free on purpose: mail leaves our hands in the clear, so
    it says that a deadline needs attention and where, never what the case is about."""
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("A deadline needs attention")
        for email, unit in _heads(item, step, to_unit, units):
            body = _(
                "A legal deadline on a case in your queue has passed and needs your "
                "attention.\n\nOpen the case after signing in:\n%(link)s\n\nThis message "
                "says nothing about the case on purpose; everything is on the case page."
            ) % {"link": case_link(unit, item.reference)}
            messages.append(EmailMessage(subject=subject, body=body, to=[email]))
    return messages


def _send(messages: list[EmailMessage]) -> None:
    with get_connection() as connection:
        connection.send_messages(messages)
