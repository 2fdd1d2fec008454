"""Delivering outbox rows: one try at a time, whatever the row carries.

A row is claimed with a lease (one conditional UPDATE, so two workers never send the same
row at once, and a worker that dies lets go when the lease runs out), the try is logged,
the package is sent outside any transaction (outbox.senders), and the outcome is recorded
in one transaction that still holds the lease. A package may reach the agency twice (a
worker killed between sending and recording); it always carries the same `Idempotency-Key`,
the outbox row's key, so the agency keeps it once.

The outcome is told to the row's subject (outbox.subjects) in that same transaction: a
referral moves on and its people are alerted, a report is audited, a checkpoint is logged.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from outbox.models import DeliveryAttempt, Outbox
from outbox.senders import DeliveryError, read_package, sender_for
from outbox.subjects import subject_for

logger = logging.getLogger(__name__)


def due_outbox_ids(limit: int) -> list[int]:
    return list(Outbox.objects.due(timezone.now()).order_by("next_attempt_at", "pk")
                .values_list("pk", flat=True)[:limit])


def retry_delay(attempts: int) -> timedelta:
    """Doubles from the base with each try, up to the cap."""
    base, cap = settings.REFERRAL_RETRY_BASE_SECONDS, settings.REFERRAL_RETRY_MAX_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def deliver_outbox(outbox_id: int) -> str:
    """One try at delivering one outbox row, if it is due and nobody else holds it. Returns
    what happened, in a few words, for the task's result."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with transaction.atomic():
        claimed = Outbox.objects.due(now).filter(pk=outbox_id).update(
            lease_until=lease, attempts=F("attempts") + 1)
        if not claimed:
            return "not due"
        outbox = Outbox.objects.select_related("agency", "data_key").get(pk=outbox_id)
        attempt = DeliveryAttempt.objects.create(outbox=outbox, number=outbox.attempts,
                                                 started_at=now)
    try:
        data = read_package(outbox)
        detail = sender_for(outbox.delivery).send(outbox, data)
        outcome = DeliveryAttempt.Outcome.DELIVERED
    except DeliveryError as error:
        detail = error.detail
        outcome = (DeliveryAttempt.Outcome.PERMANENT if error.permanent
                   else DeliveryAttempt.Outcome.RETRY)
    except Exception as error:  # a try never crashes the worker
        # The class name only: an exception's message might quote what it choked on.
        detail, outcome = type(error).__name__, DeliveryAttempt.Outcome.RETRY
        logger.error("outbox %s: unexpected %s while sending", outbox.pk, detail)
    return _record_outcome(outbox, lease, attempt, outcome, detail)


def _record_outcome(outbox: Outbox, lease, attempt: DeliveryAttempt, outcome: str,
                    detail: str) -> str:
    """Log the try, and move the row on: delivered, given up, or due again after the
    back-off. The subject hears of delivery or a dead letter in the same transaction."""
    subject = subject_for(outbox)
    with transaction.atomic():
        if subject and subject.lock:
            subject.lock(outbox)
        # Only the outbox row: a lock on the joined agency row would hold up every
        # transaction that checks a foreign key to it.
        outbox = (Outbox.objects.select_for_update(of=("self",)).select_related("agency")
                  .get(pk=outbox.pk))
        now = timezone.now()
        attempt.finished_at, attempt.outcome, attempt.detail = now, outcome, detail
        attempt.save(update_fields=["finished_at", "outcome", "detail"])
        named = f"{outbox.subject_kind} {outbox.subject_reference}"
        if outbox.state != Outbox.State.PENDING or outbox.lease_until != lease:
            # The lease ran out while sending and another worker took the row over; what
            # it records counts (the agency keeps a package delivered twice once).
            logger.warning("%s: lease lost during try %d", named, attempt.number)
            return "lease lost"
        outbox.lease_until, outbox.last_error = None, detail
        logger.info("%s: try %d %s (%s)", named, attempt.number, outcome, detail)
        if outcome == DeliveryAttempt.Outcome.DELIVERED:
            outbox.state, outbox.delivered_at, outbox.last_error = (
                Outbox.State.DELIVERED, now, "")
            outbox.save(update_fields=["state", "delivered_at", "lease_until", "last_error"])
            if subject:
                subject.delivered(outbox, now)
            return "delivered"
        permanent = outcome == DeliveryAttempt.Outcome.PERMANENT
        if permanent or outbox.attempts >= settings.REFERRAL_MAX_ATTEMPTS:
            outbox.state = Outbox.State.DEAD
            outbox.save(update_fields=["state", "lease_until", "last_error"])
            if subject:
                subject.dead(outbox, detail, permanent)
            return "dead"
        outbox.next_attempt_at = now + retry_delay(outbox.attempts)
        outbox.save(update_fields=["lease_until", "last_error", "next_attempt_at"])
        return "retry"
