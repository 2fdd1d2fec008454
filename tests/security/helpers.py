"""What the security tests share: what may not change, and requests that leave no trace."""

from contextlib import contextmanager

from django.db import connection, transaction
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from audit.services import READ_ACTION
from intake.matter_models import MatterDismissal, MatterMember
from intake.models import Attachment, BoxOpening, Complaint, DiscardedSlip, Message, Note, Recusal
from notify.models import Event, Notification
from outbox.models import Outbox
from plans.models import Activity, Goal, Measure, Plan, PlanReport, Training
from reporting.models import MonthlyReport, ReportDelivery
from routing.models import AgencyAnswer, Referral, TriageDecision
from surveys.models import Round, Tally, TallyBatch

COUNTED = {
    "complaints": Complaint, "messages": Message, "attachments": Attachment, "notes": Note,
    "recusals": Recusal, "openings": BoxOpening, "discarded": DiscardedSlip,
    "audit": AuditEvent, "referrals": Referral, "outbox": Outbox, "answers": AgencyAnswer,
    "triage": TriageDecision, "reports": MonthlyReport, "report_deliveries": ReportDelivery,
    "events": Event, "notifications": Notification, "survey_rounds": Round,
    "survey_batches": TallyBatch, "survey_tallies": Tally,
    "matter_links": MatterMember, "matter_dismissals": MatterDismissal,
    "plans": Plan, "plan_goals": Goal, "plan_measures": Measure, "plan_activities": Activity,
    "plan_trainings": Training, "plan_reports": PlanReport,
}


def _counting_sql() -> str:
    quote = connection.ops.quote_name
    audit = quote(AuditEvent._meta.db_table)
    parts = [f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})"
             for model in COUNTED.values()]
    action = quote(AuditEvent._meta.get_field("action").column)
    parts.append(f"(SELECT COUNT(*) FROM {audit} WHERE {action} = %s)")
    return "SELECT " + ", ".join(parts)


def counts() -> dict[str, int]:
    """Rows of everything a form may save, in one query (the authorization matrix asks
    before and after each of some thousands of requests). The audit trail is split: a page
    shown again after a refusal may record that content was read (`audit_reads`), never a
    change."""
    with connection.cursor() as cursor:
        cursor.execute(_counting_sql(), [READ_ACTION])
        row = cursor.fetchone()
    found = dict(zip([*COUNTED, "audit_reads"], row, strict=True))
    found["audit"] -= found["audit_reads"]
    return found


def states() -> tuple:
    """Counts, plus the states that actions move without adding rows."""
    return (
        counts(),
        sorted(Complaint.objects.values_list("reference", "status", "acknowledged_at")),
        sorted(Referral.objects.values_list("reference", "state", "agency_reference")),
        sorted(MonthlyReport.objects.values_list("unit_id", "version", "state")),
        sorted(Outbox.objects.values_list("pk", "state", "attempts")),
        sorted(Notification.objects.values_list("pk", "read_at")),
        sorted(Tally.objects.filter(batch=None).values_list("pk", "count")),
        sorted(Plan.objects.values_list("pk", "state")),
        sorted(PlanReport.objects.values_list("pk", "state")),
    )


def audit_length() -> int:
    """Every change is audited, so an unchanged trail is a cheap sign that a GET changed
    nothing."""
    return AuditEvent.objects.count()


@contextmanager
def rolled_back():
    """Whatever the block writes is undone, so that one world serves many requests."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def post_counted(client, url: str, body) -> tuple:
    """POST `body` inside a transaction that is then rolled back; returns the answer and
    the counts (see counts) before and after it."""
    with rolled_back():
        before = counts()
        response = client.post(url, body)
        after = counts()
    return response, before, after


def client_for(user, *, second_factor: bool = True) -> Client:
    """A browser signed in as `user` (None: nobody), with the code from their authenticator
    unless `second_factor` is false."""
    client = Client()
    if user is None:
        return client
    client.force_login(user)
    if second_factor:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(
            user=user, confirmed=True).persistent_id
        session.save()
    return client


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")
