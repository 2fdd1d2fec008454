"""How long a closed case is kept, and its destruction when that time is up.

A closed case is kept for a number of years that depends on what it was about and what
became of it (settings.RETENTION_YEARS, and a category's own `retention_years` where an
administrator set one); the longest rule that applies wins. A legal hold keeps a case past
its time until the hold is released.

When the time is up the daily sweep crypto-shreds the case: its data key is destroyed (so
the text, the reporter, the thread, the notes, the triage reasons, the cover letters and
the outbox packages, all sealed with that key, can never be read again), its encrypted
files are deleted, and what could still link it to a person (the receipt hash, the phone
number's blind index) is cleared. The reference number, dates, channel, categories,
referrals' states and the audit trail stay, so the monthly reports and `verify_audit`
still hold. On SQLite the database runs with `secure_delete` and the write-ahead log is
truncated after a sweep; on PostgreSQL the tables that held the wrapped keys are vacuumed,
so the old row versions are removed.

It lives in lifecycle, above routing, because the rules read triage categories and
referrals; intake only carries the hold on the complaint. The daily sweep is
lifecycle.tasks.retention_sweep; the panel and the hold's action on the case page are
lifecycle.panels and lifecycle.views.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import SYSTEM, record
from intake.models import Attachment, Complaint, Kind, Status
from intake.signing import likeness_forget
from notify.events import emit
from notify.models import Kind as EventKind
from routing.models import Referral, ReferralState, TriageDecision
from vault.files import delete_encrypted
from vault.models import DataKey

logger = logging.getLogger(__name__)

# Referrals in these states never left the unit: they do not make a case "referred".
NOT_SENT = (ReferralState.PREPARED, ReferralState.RETURNED)


@dataclass(frozen=True)
class Retention:
    years: int
    rule: str  # which rule set the period: a settings key, or "category:<code>"
    closed_on: date
    until: date  # the first day the case may be destroyed

    def expired(self, today: date) -> bool:
        return today >= self.until


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without one
        return day.replace(year=day.year + years, day=28)


# The sweep reads many cases at once; with_what_rules_read brings what _rules needs with them,
# instead of three queries a case.
CURRENT_DECISIONS = "current_decisions"
SENT_REFERRAL = "has_sent_referral"


def with_what_rules_read(complaints):
    return complaints.annotate(**{SENT_REFERRAL: Exists(
        Referral.objects.filter(complaint=OuterRef("pk")).exclude(state__in=NOT_SENT))},
    ).prefetch_related(Prefetch(
        "triage_decisions", to_attr=CURRENT_DECISIONS,
        queryset=TriageDecision.objects.current().prefetch_related("categories")))


def _rules(complaint: Complaint) -> list[tuple[int, str]]:
    policy = settings.RETENTION_YEARS
    kind = "suggestion" if complaint.kind == Kind.SUGGESTION else "complaint"
    rules = [(policy[kind], kind)]
    if hasattr(complaint, CURRENT_DECISIONS):
        decision = next(iter(getattr(complaint, CURRENT_DECISIONS)), None)
    else:
        decision = complaint.triage_decisions.current().prefetch_related("categories").first()
    if decision is not None:
        categories = list(decision.categories.all())
        if decision.corruption_related or any(c.corruption_related for c in categories):
            rules.append((policy["corruption"], "corruption"))
        rules += [(c.retention_years, f"category:{c.code}") for c in categories
                  if c.retention_years]
    sent = getattr(complaint, SENT_REFERRAL, None)
    if sent is None:
        sent = complaint.referrals.exclude(state__in=NOT_SENT).exists()
    if sent:
        rules.append((policy["referred"], "referred"))
    return rules


def retention_of(complaint: Complaint) -> Retention | None:
    """The retention of a closed case; None while it is open."""
    if complaint.status != Status.CLOSED or complaint.closed_at is None:
        return None
    years, rule = max(_rules(complaint), key=lambda found: found[0])
    closed_on = timezone.localdate(complaint.closed_at)
    return Retention(years=years, rule=rule, closed_on=closed_on,
                     until=add_years(closed_on, years))


def shortest_period() -> int:
    """The fewest years any case is kept: every case gets at least its kind's period, and
    the other rules only lengthen it. It narrows the sweep's candidates."""
    policy = settings.RETENTION_YEARS
    return min(policy["suggestion"], policy["complaint"])


def _candidates(horizon: date):
    """Closed, unheld, unshredded cases closed early enough to expire by `horizon`."""
    latest_close = add_years(horizon, -shortest_period()) + timedelta(days=1)
    cutoff = timezone.make_aware(datetime.combine(latest_close, time.min))
    return (Complaint.objects
            .filter(status=Status.CLOSED, closed_at__lt=cutoff, legal_hold_at__isnull=True,
                    data_key__shredded_at__isnull=True)
            .select_related("unit", "data_key")
            .order_by("closed_at", "pk"))


# --- the hold --------------------------------------------------------------------------------

def legal_hold_place(*, complaint: Complaint, by) -> Complaint:
    with transaction.atomic():
        complaint = (Complaint.objects.select_for_update(no_key=True, of=("self",))
                     .select_related("data_key").get(pk=complaint.pk))
        if complaint.data_key.is_shredded:
            raise ValidationError(_("The content of this case was already destroyed."))
        if complaint.legal_hold_at is not None:
            raise ValidationError(_("This case is already on legal hold."))
        complaint.legal_hold_at = timezone.now()
        complaint.legal_hold_by = by
        complaint.save(update_fields=["legal_hold_at", "legal_hold_by"])
        record(actor=by, action="complaint.legal_hold", target=complaint)
    return complaint


def legal_hold_release(*, complaint: Complaint, by) -> Complaint:
    with transaction.atomic():
        complaint = (Complaint.objects.select_for_update(no_key=True, of=("self",))
                     .get(pk=complaint.pk))
        if complaint.legal_hold_at is None:
            raise ValidationError(_("This case is not on legal hold."))
        held_since = complaint.legal_hold_at
        complaint.legal_hold_at = None
        complaint.legal_hold_by = None
        # A case released after its time is warned of again before the next sweep takes it.
        complaint.retention_warned_at = None
        complaint.save(update_fields=["legal_hold_at", "legal_hold_by", "retention_warned_at"])
        record(actor=by, action="complaint.legal_hold_released", target=complaint,
               details={"held_since": held_since.isoformat()})
    return complaint


# --- warning and shredding -------------------------------------------------------------------

def warn(complaint: Complaint, retention: Retention) -> bool:
    """Tell the unit's officers and head that the case's content will be destroyed."""
    with transaction.atomic():
        claimed = Complaint.objects.filter(
            pk=complaint.pk, retention_warned_at__isnull=True, legal_hold_at__isnull=True,
        ).update(retention_warned_at=timezone.now())
        if not claimed:
            return False
        emit(EventKind.RETENTION_WARNING, unit=complaint.unit,
             subject={"complaint": complaint.pk, "reference": complaint.reference,
                      "due": retention.until.isoformat()})
    return True


def shred(complaint: Complaint, *, today: date | None = None) -> bool:
    """Destroy an expired case's content, if it is still expired, unheld and unshredded
    once locked. Returns whether it shredded. Files are deleted after the commit: a crash in
    between leaves files sealed with a key that no longer exists."""
    today = today or timezone.localdate()
    with transaction.atomic():
        complaint = (Complaint.objects.select_for_update(no_key=True, of=("self",))
                     .select_related("unit", "data_key").get(pk=complaint.pk))
        retention = retention_of(complaint)
        if (retention is None or not retention.expired(today)
                or complaint.legal_hold_at is not None or complaint.data_key.is_shredded):
            return False
        attachments = Attachment.objects.filter(complaint=complaint)
        stored = list(attachments.values_list("stored_name", flat=True))
        attachments.delete()
        complaint.receipt_hash = None
        complaint.submission_token = None
        complaint.reporter_phone_index = ""
        # Staff's short title is not sealed, and should hold nothing of the content; it goes
        # with the content all the same, in case it did.
        complaint.title = ""
        complaint.save(update_fields=["receipt_hash", "submission_token",
                                      "reporter_phone_index", "title"])
        # Its similarity buckets and signature: nothing links it to another complaint now.
        likeness_forget(complaint=complaint)
        complaint.data_key.shred()
        record(actor=SYSTEM, action="complaint.shredded", target=complaint, details={
            "retention_years": retention.years, "rule": retention.rule,
            "closed_on": retention.closed_on.isoformat(), "files_deleted": len(stored),
        })
        transaction.on_commit(lambda: _delete_files(stored))
    return True


def _delete_files(names: list[str]) -> None:
    for name in names:
        delete_encrypted(name)


def scrub_storage() -> None:
    """Make sure the destroyed keys' old bytes do not linger in the database's files."""
    if connection.in_atomic_block:
        return  # neither can run inside a transaction; the next sweep outside one will
    if connection.vendor == "sqlite":
        # secure_delete (set per connection in settings) zeroes freed pages; the write-ahead
        # log still holds the old pages until it is checkpointed and truncated.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (DataKey, Complaint):
                cursor.execute(f'VACUUM "{model._meta.db_table}"')


@dataclass
class SweepResult:
    shredded: int = 0
    warned: int = 0

    def __str__(self):
        return f"{self.shredded} shredded, {self.warned} warned"


def sweep(today: date | None = None) -> SweepResult:
    """The daily job: shred what has expired, warn of what expires within the warning time."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.RETENTION_WARN_DAYS)
    result = SweepResult()
    for complaint in with_what_rules_read(_candidates(horizon)).iterator(chunk_size=200):
        retention = retention_of(complaint)
        if retention is None:
            continue
        if retention.expired(today):
            result.shredded += shred(complaint, today=today)
        elif retention.until <= horizon and complaint.retention_warned_at is None:
            result.warned += warn(complaint, retention)
    if result.shredded:
        scrub_storage()
        logger.info("retention sweep: %s", result)
    return result
