"""Who is told of what, by default. A kind goes to these roles of the event's unit; a person
may turn email or text messages on or off per kind (notify.models.Preference)."""

from notify.models import Kind
from org.models import Role

OFFICER, HEAD, CLERK = Role.OFFICER.value, Role.HEAD.value, Role.CLERK.value
AUDITOR, ADMIN = Role.AUDITOR.value, Role.ADMIN.value

ROLES = {
    Kind.COMPLAINT_LOGGED: {OFFICER, HEAD},
    Kind.COMPLAINT_TRIAGED: {HEAD},
    Kind.REPORTER_MESSAGE: {OFFICER, HEAD},
    Kind.REFERRAL_PREPARED: {HEAD},
    Kind.REFERRAL_APPROVED: {OFFICER},
    Kind.REFERRAL_DELIVERED: {OFFICER, HEAD},
    Kind.REFERRAL_FAILED: {HEAD},
    Kind.REFERRAL_ANSWERED: {OFFICER, HEAD},
    Kind.CLOCK_APPROACHING: {OFFICER, HEAD},
    Kind.CLOCK_OVERDUE: {HEAD},
    Kind.REPORT_DRAFTED: {CLERK},
    Kind.REPORT_AWAITING_REVIEW: {HEAD},
    Kind.REPORT_APPROVED: {CLERK, HEAD},
    Kind.REPORT_LATE: {CLERK, HEAD},
    Kind.REPORT_DELIVERY_FAILED: {HEAD},
    Kind.REPORT_SENT_BACK: {CLERK},
    Kind.RETENTION_WARNING: {OFFICER, HEAD},
    # Sealed content that fails to decrypt was altered: the head answers for the unit's
    # records, the auditors for the trail (intake.damage).
    Kind.CONTENT_DAMAGED: {HEAD, AUDITOR},
    # The administrators keep the holiday calendar (lifecycle.calendar_watch).
    Kind.CALENDAR_INCOMPLETE: {ADMIN},
    # A report's counter differed from its records (intake.tally_check): the administrators
    # look into what wrote behind the workflows' back.
    Kind.TALLY_MISMATCH: {ADMIN},
}

# Kinds that also go by email unless the person turns it off: the ones that must not wait
# for someone to look at the screen.
DEFAULT_EMAIL = {
    Kind.REFERRAL_PREPARED, Kind.REFERRAL_FAILED, Kind.CLOCK_APPROACHING, Kind.CLOCK_OVERDUE,
    Kind.REPORT_AWAITING_REVIEW, Kind.REPORT_LATE, Kind.REPORT_DELIVERY_FAILED,
    Kind.REPORT_SENT_BACK, Kind.RETENTION_WARNING, Kind.CONTENT_DAMAGED,
    Kind.CALENDAR_INCOMPLETE, Kind.TALLY_MISMATCH,
}

# What an event's subject may hold: ids, reference numbers, clock names and dates. Anything
# else is refused, so that no text of a complaint can ride along by mistake.
SUBJECT_KEYS = {
    "complaint": int, "reference": str, "referral": int, "referral_reference": str,
    "clock": str, "step": int, "due": str, "report": int, "month": str, "state": str,
    "report_reference": str, "unit_code": str, "year": int, "figure": str,
}
SUBJECT_TEXT_MAX = 40

# Work done that has no notification of its own but settles some (notify.events.settle).
REFERRAL_RETURNED = "referral.returned"
REPLIED_TO_REPORTER = "message.from_staff"
CASE_CLOSED = "complaint.closed"

_CASE = ("complaint",)
_REFERRAL = ("referral",)
_REPORT = ("report",)
_REPORT_MONTH = ("unit", "month")

# When the work a notification asks for is done, that notification is done for everyone
# who was told (marked read), so that a head's "waiting for approval" does not stay unread
# after approving. The one place that says so: a thing that happened (a notification kind
# being emitted, or one of the names above) -> the earlier kinds it settles and the subject
# keys they must share ("unit" is the event's unit; the escalated copy of a case's event
# has the parent's unit, but the same complaint and referral ids). A kind not named on the
# right is news to read, not work to do, and stays unread until its reader reads it.
SETTLES = {
    Kind.COMPLAINT_TRIAGED: [(Kind.COMPLAINT_LOGGED, _CASE)],
    REPLIED_TO_REPORTER: [(Kind.REPORTER_MESSAGE, _CASE)],
    CASE_CLOSED: [(Kind.COMPLAINT_LOGGED, _CASE), (Kind.REPORTER_MESSAGE, _CASE),
                  (Kind.CLOCK_APPROACHING, _CASE), (Kind.CLOCK_OVERDUE, _CASE)],
    Kind.REFERRAL_APPROVED: [(Kind.REFERRAL_PREPARED, _REFERRAL)],
    REFERRAL_RETURNED: [(Kind.REFERRAL_PREPARED, _REFERRAL)],
    Kind.REFERRAL_DELIVERED: [(Kind.REFERRAL_FAILED, _REFERRAL)],
    Kind.CLOCK_OVERDUE: [(Kind.CLOCK_APPROACHING, ("complaint", "clock"))],
    Kind.REPORT_AWAITING_REVIEW: [(Kind.REPORT_DRAFTED, _REPORT),
                                  (Kind.REPORT_SENT_BACK, _REPORT)],
    Kind.REPORT_DRAFTED: [(Kind.REPORT_AWAITING_REVIEW, _REPORT)],
    # A report sent back is a draft again: the head's review is over.
    Kind.REPORT_SENT_BACK: [(Kind.REPORT_AWAITING_REVIEW, _REPORT)],
    Kind.REPORT_APPROVED: [(Kind.REPORT_AWAITING_REVIEW, _REPORT), (Kind.REPORT_DRAFTED, _REPORT),
                           (Kind.REPORT_SENT_BACK, _REPORT), (Kind.REPORT_LATE, _REPORT_MONTH)],
}
