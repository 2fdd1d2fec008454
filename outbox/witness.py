"""The anti-corruption agency as a witness of the audit trail's checkpoints.

A checkpoint file on our own disk can be removed by whoever controls the machine; a copy
held by an agency cannot. Audit offers its newest checkpoint to its witnesses each minute
(audit.witnesses); this one queues it through the outbox to every active agency that takes
packages by API, at most one a WITNESS_EVERY per agency, and only when the head has moved
since the last one it was sent. Letters and emails are left out: nobody reads an hourly
letter. The package holds what the checkpoint file holds (sequence number, the head
event's HMAC, time, signing key and signature) and nothing about any complaint.
"""

import json
import logging
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from audit import checkpoints
from audit.models import Checkpoint
from audit.witnesses import register_witness
from outbox.models import Agency, Outbox
from outbox.services import outbox_enqueue
from outbox.subjects import Subject, register
from vault.files import atomic_with_files
from vault.models import DataKey

logger = logging.getLogger(__name__)

KIND = "audit_checkpoint"
FORMAT = "shugel.audit-checkpoint/1"
WITNESS_EVERY = timedelta(hours=1)


def reference_for(checkpoint: Checkpoint) -> str:
    return f"audit-checkpoint-{checkpoint.seq}"


def package(checkpoint: Checkpoint) -> bytes:
    document = {
        "format": FORMAT,
        "checkpoint": reference_for(checkpoint),
        # The very document of the checkpoint file: the agency can check its signature
        # without Shugel (docs/audit.md).
        "file": {"format": checkpoints.FORMAT,
                 **{field: getattr(checkpoint, field) for field in checkpoints.FIELDS}},
    }
    return json.dumps(document, sort_keys=True).encode()


def _due(agency: Agency, checkpoint: Checkpoint, now) -> bool:
    last = (Outbox.objects.filter(subject_kind=KIND, agency=agency)
            .order_by("-created_at", "-pk").first())
    if last is None:
        return True
    return (last.subject_reference != reference_for(checkpoint)
            and last.created_at <= now - WITNESS_EVERY)


def witness(checkpoint: Checkpoint) -> None:
    """Registered with audit.witnesses (outbox/apps.py): queue `checkpoint` to each API
    agency that has not had one for WITNESS_EVERY."""
    now = timezone.now()
    for agency in Agency.objects.filter(active=True, delivery=Agency.Delivery.API):
        # Most minutes it is not due: look before taking a lock (on SQLite, the database's).
        if _due(agency, checkpoint, now):
            _queue(agency.pk, checkpoint, now)


def _queue(agency_id: int, checkpoint: Checkpoint, now) -> None:
    with atomic_with_files():
        # The agency's row, locked: two workers offering at once queue one witness.
        # FOR NO KEY UPDATE, so referrals and outbox rows naming it are not held up.
        agency = Agency.objects.select_for_update(no_key=True).get(pk=agency_id)
        if not _due(agency, checkpoint, now):
            return
        outbox_enqueue(kind=KIND, subject_id=checkpoint.pk, reference=reference_for(checkpoint),
                       agency=agency, data_key=DataKey.objects.create_fresh(),
                       data=package(checkpoint))


def _email_subject(row: Outbox) -> str:
    return _("Audit trail checkpoint %(reference)s") % {"reference": row.subject_reference}


def _delivered(row: Outbox, now) -> None:
    # Not an audit event: it would move the chain's head, and so make the next checkpoint,
    # which would be witnessed in turn. The outbox row and its tries are the record.
    logger.info("%s delivered to %s", row.subject_reference, row.agency.code)


def _dead(row: Outbox, detail: str, permanent: bool) -> None:
    # The next checkpoint is offered again after WITNESS_EVERY; the status page shows the
    # given-up delivery to the administrator.
    logger.warning("%s not delivered to %s: %s", row.subject_reference, row.agency.code,
                   detail)


SUBJECT = Subject(kind=KIND, email_subject=_email_subject, delivered=_delivered, dead=_dead)


def connect() -> None:
    """Called once from the outbox's ready()."""
    register(SUBJECT)
    register_witness(witness)
