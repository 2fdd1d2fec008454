"""Who is told of what, by default. A kind goes to these roles of the event's unit; a person
may turn email or text messages on or off per kind (notify.models.Preference)."""

from notify.models import Kind
from org.models import Role

OFFICER, HEAD, CLERK = Role.OFFICER.value, Role.HEAD.value, Role.CLERK.value
AUDITOR = Role.AUDITOR.value

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
}

# Kinds that also go by email unless the person turns it off: the ones that must not wait
# for someone to look at the screen.
DEFAULT_EMAIL = {
    Kind.REFERRAL_PREPARED, Kind.REFERRAL_FAILED, Kind.CLOCK_APPROACHING, Kind.CLOCK_OVERDUE,
    Kind.REPORT_AWAITING_REVIEW, Kind.REPORT_LATE, Kind.REPORT_DELIVERY_FAILED,
    Kind.REPORT_SENT_BACK, Kind.RETENTION_WARNING, Kind.CONTENT_DAMAGED,
}

# What an event's subject may hold: ids, reference numbers, clock names and dates. Anything
# else is refused, so that no text of a complaint can ride along by mistake.
SUBJECT_KEYS = {
    "complaint": int, "reference": str, "referral": int, "referral_reference": str,
    "clock": str, "step": int, "due": str, "report": int, "month": str, "state": str,
    "report_reference": str, "unit_code": str,
}
SUBJECT_TEXT_MAX = 40
